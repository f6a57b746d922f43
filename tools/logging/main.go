// Command logging sets, checks and removes the Amazon Bedrock model
// invocation logging configuration in one account or across an AWS
// Organization. Run `go run ./tools/logging help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
