package main

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// opFunc does one command's work on one target.
type opFunc func(ctx context.Context, t target, c targetClients, o options) result

// clientSource builds the clients for a target (assuming a role when needed).
type clientSource interface {
	clients(ctx context.Context, t target) (targetClients, error)
}

// progress is told when a target finishes.
type progress interface {
	done()
	finish()
}

// runTargets runs op on every target with at most concurrency in flight.
// A failing target never stops the others. Results keep the targets' order.
func runTargets(ctx context.Context, targets []target, concurrency int, src clientSource, op opFunc, o options, p progress) []result {
	results := make([]result, len(targets))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			defer p.done()
			if err := ctx.Err(); err != nil {
				results[i] = result{Account: t.Account, Region: t.Region}.fail(err)
				return
			}
			c, err := src.clients(ctx, t)
			if err != nil {
				results[i] = result{Account: t.Account, Region: t.Region}.fail(err)
				return
			}
			results[i] = op(ctx, t, c, o)
		})
	}
	wg.Wait()
	p.finish()
	return results
}

type noProgress struct{}

func (noProgress) done()   {}
func (noProgress) finish() {}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b barProgress) done()   { _ = b.bar.Add(1) }
func (b barProgress) finish() { _ = b.bar.Finish() }

// newProgress returns a progress bar on stderr when stderr is a terminal,
// otherwise nothing, so piped and CI output stays clean.
func newProgress(stderr io.Writer, total int, desc string) progress {
	f, ok := stderr.(*os.File)
	if !ok || total < 2 || !term.IsTerminal(int(f.Fd())) {
		return noProgress{}
	}
	return barProgress{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)}
}
