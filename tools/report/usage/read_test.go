package usage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// chunked hands its data to a writer in pieces of random size, as a
// decompressor writing from its window does.
type chunked struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (c chunked) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for p := c.data; len(p) > 0; {
		k := min(1+c.rng.IntN(c.max), len(p))
		m, err := w.Write(p[:k])
		n += int64(m)
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// Lines are the same whichever way the stream is cut into writes: a line
// split across writes is parsed once, an oversized one is counted once and
// does not swallow the next, and the last line needs no newline.
func TestLinesSurviveAnySplit(t *testing.T) {
	defer func(old int) { MaxLineBytes = old }(MaxLineBytes)
	good := func(n int) string {
		return fmt.Sprintf(`{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputTokenCount":%d}}`, n)
	}
	MaxLineBytes = len(good(1)) + 2 // a good line and its CRLF fit exactly
	big := `{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputBodyJson":"` + strings.Repeat("x", 500) + `"}}`
	var in strings.Builder
	var want int64
	records := 0
	for i := 1; i <= 200; i++ {
		switch i % 7 {
		case 0:
			in.WriteString(big + "\n")
		case 3:
			in.WriteString("\r\n") // blank line: ignored, not malformed
		default:
			in.WriteString(good(i%10) + "\r\n")
			want += int64(i % 10)
			records++
		}
	}
	in.WriteString(good(9)) // no newline at the end
	want += 9
	records++
	for _, max := range []int{1, 2, 7, 64, 1 << 20} {
		w := &worker{obj: NewAggregator(NewConfig(Options{}))}
		w.sink.w = w
		n, err := w.sink.from(chunked{data: []byte(in.String()), rng: rand.New(rand.NewPCG(1, uint64(max))), max: max})
		if err != nil {
			t.Fatal(err)
		}
		a := w.obj
		if n != int64(in.Len()) || a.Total.Records != int64(records) || a.Total.InputTokens != want || a.Oversized != 28 || a.Skipped != 28 {
			t.Errorf("writes of up to %d bytes: %d bytes, %d records, %d input tokens, %d oversized, %d skipped; want %d, %d, %d, 28, 28",
				max, n, a.Total.Records, a.Total.InputTokens, a.Oversized, a.Skipped, in.Len(), records, want)
		}
	}
}

// A gzip object read through Read gives the same totals as the plain lines,
// and a truncated one is unreadable and adds nothing.
func TestReadGzipObjects(t *testing.T) {
	dir := t.TempDir()
	day := filepath.Join(dir, "AWSLogs", "111111111111", "BedrockModelInvocationLogs", "us-east-1", "2026", "11", "20", "10")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for i := range 5000 {
		fmt.Fprintf(&lines, `{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputTokenCount":%d,"inputBodyJson":{"t":"%s"}}}`+"\n", i, strings.Repeat("y", i%300))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(lines.Bytes())
	zw.Close()
	if err := os.WriteFile(filepath.Join(day, "a.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(day, "b.json.gz"), gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := NewConfig(Options{})
	res, err := Read(context.Background(), LocalSource{Root: dir}, cfg, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plain := NewAggregator(cfg)
	if err := ReadLines(&lines, plain); err != nil {
		t.Fatal(err)
	}
	if res.Total != plain.Total || res.Total.Records != 5000 {
		t.Errorf("gzip totals %+v, plain %+v", res.Total, plain.Total)
	}
	if len(res.Unreadable) != 1 || !strings.HasSuffix(res.Unreadable[0], "b.json.gz") {
		t.Errorf("unreadable = %v, want the truncated b.json.gz", res.Unreadable)
	}
}
