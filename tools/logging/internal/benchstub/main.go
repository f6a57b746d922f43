// Command benchstub serves the tools/logging stub (internal/stub) on a local
// port for the benchmark and for trying the tool by hand:
//
//	go run ./tools/logging/internal/benchstub -addr 127.0.0.1:0 -delay 200ms -accounts 100
//
// It prints "listening on http://ADDR" on stdout once ready, then serves
// until killed. With -accounts N the organization holds the caller account
// 999999999999 plus N-1 member accounts 100000000001, 100000000002, ...
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/logging/internal/stub"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	delay := flag.Duration("delay", 200*time.Millisecond, "added to every answer")
	accounts := flag.Int("accounts", 100, "accounts in the organization, the caller's included")
	deny := flag.String("deny-assume", "", "comma-separated accounts whose role cannot be assumed")
	flag.Parse()
	if !strings.HasPrefix(*addr, "127.0.0.1:") && !strings.HasPrefix(*addr, "localhost:") {
		log.Fatalf("benchstub: -addr must be on 127.0.0.1")
	}

	s := stub.New()
	s.Delay = *delay
	s.OrgPageSize = 20
	s.Org = append(s.Org, stub.OrgAccount{ID: s.CallerAccount, State: "ACTIVE"})
	for i := 1; i < *accounts; i++ {
		s.Org = append(s.Org, stub.OrgAccount{ID: fmt.Sprintf("1%011d", i), State: "ACTIVE"})
	}
	for _, a := range strings.Split(*deny, ",") {
		if a != "" {
			s.DenyAssume[a] = true
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("benchstub: %v", err)
	}
	fmt.Fprintf(os.Stdout, "listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
