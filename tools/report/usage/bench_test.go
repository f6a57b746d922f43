package usage

import (
	"bytes"
	"io"

	"context"
	"github.com/klauspost/compress/gzip"
	"os"
	"testing"
)

// BenchmarkReadTree reads the tree named by BENCH_TREE (see scripts/bench-report.sh).
func BenchmarkReadTree(b *testing.B) {
	dir := os.Getenv("BENCH_TREE")
	if dir == "" {
		b.Skip("BENCH_TREE not set")
	}
	cfg := NewConfig(Options{})
	for i := 0; i < b.N; i++ {
		if _, err := Read(context.Background(), LocalSource{Root: dir}, cfg, ReadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse measures the record parser alone on the lines of one object
// of BENCH_TREE.
func BenchmarkParse(b *testing.B) {
	dir := os.Getenv("BENCH_TREE")
	if dir == "" {
		b.Skip("BENCH_TREE not set")
	}
	var lines [][]byte
	var size int64
	LocalSource{Root: dir}.List(context.Background(), func(o Object) error {
		if lines != nil {
			return nil
		}
		rc, _ := o.Open(context.Background())
		defer rc.Close()
		gz, _ := gzip.NewReader(rc)
		all, _ := io.ReadAll(gz)
		for _, l := range bytes.Split(all, []byte("\n")) {
			if len(l) > 0 {
				lines = append(lines, l)
				size += int64(len(l))
			}
		}
		return nil
	})
	var p Parser
	var r Record
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			if err := p.Parse(l, &r); err != nil {
				b.Fatal(err)
			}
		}
	}
}
