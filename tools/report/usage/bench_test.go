package usage

import (
	"context"
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
