// Command gunzipfloor measures the physical floor of reading a log tree: it
// only decompresses every *.json.gz file under -tree, with the gzip library
// tools/report uses (klauspost/compress), the way tools/report drives it
// (gzip.Reader.WriteTo, which hands out the decoded window without a copy),
// and one worker per CPU, and discards the output. make bench-report
// compares the report's time with it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

func main() {
	tree := flag.String("tree", "", "directory of *.json.gz files")
	flag.Parse()
	if *tree == "" {
		fmt.Fprintln(os.Stderr, "usage: gunzipfloor -tree DIR")
		os.Exit(2)
	}
	var files []string
	err := filepath.WalkDir(*tree, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	var next, out atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, runtime.GOMAXPROCS(0))
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var zr *gzip.Reader
			br := bufio.NewReaderSize(nil, 64<<10)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				f, err := os.Open(files[i])
				if err != nil {
					errs <- err
					return
				}
				br.Reset(f)
				if zr == nil {
					zr, err = gzip.NewReader(br)
				} else {
					err = zr.Reset(br)
				}
				if err == nil {
					var n int64
					n, err = zr.WriteTo(io.Discard)
					out.Add(n)
				}
				f.Close()
				if err != nil {
					errs <- fmt.Errorf("%s: %w", files[i], err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("{\"files\":%d,\"json_bytes\":%d,\"seconds\":%.4f}\n", len(files), out.Load(), time.Since(start).Seconds())
}
