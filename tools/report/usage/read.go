package usage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// PermissionCheckObject is the test object Bedrock writes under the log prefix.
const PermissionCheckObject = "amazon-bedrock-logs-permission-check"

// MaxLineBytes bounds one log line; a longer line is skipped and counted in
// skipped_lines and oversized_lines. A variable only so that tests can lower it.
var MaxLineBytes = 64 << 20

// Object is one log file: a local file or an S3 object.
type Object struct {
	Name string
	Size int64
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Source lists log objects. List calls fn for each object to read, in any
// order, and stops at the first error fn returns.
type Source interface {
	List(ctx context.Context, fn func(Object) error) error
}

// Result is what Read produced.
type Result struct {
	*Aggregator
	Objects     int64    // objects read successfully
	Bytes       int64    // bytes read from those objects (compressed size)
	Unreadable  []string // objects that could not be read, sorted
	LineBytes   int64    // uncompressed bytes of log lines
	Elapsed     time.Duration
	WorkerCount int
}

// ReadOptions tune Read.
type ReadOptions struct {
	// Workers is the number of objects read at once; 0 means GOMAXPROCS (and at
	// least 8 for remote sources, set by the caller).
	Workers int
	// OnUnreadable is called (from any goroutine, serialised) for each object
	// that cannot be read.
	OnUnreadable func(name string, err error)
}

// Read streams every object of src through parsers and aggregators, one per
// worker. An object that cannot be opened, decompressed or read to its end is
// counted as unreadable and contributes nothing; malformed lines are counted
// and skipped. Memory use depends on the number of workers and distinct keys,
// not on the amount of data.
func Read(ctx context.Context, src Source, cfg *Config, opt ReadOptions) (*Result, error) {
	start := time.Now()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	objs := make(chan Object, workers*4)
	var mu sync.Mutex
	res := &Result{Aggregator: NewAggregator(cfg), WorkerCount: workers}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(cfg)
			for o := range objs {
				n, lb, err := w.readObject(ctx, o)
				if err != nil {
					if ctx.Err() != nil {
						continue
					}
					mu.Lock()
					res.Unreadable = append(res.Unreadable, o.Name)
					if opt.OnUnreadable != nil {
						opt.OnUnreadable(o.Name, err)
					}
					mu.Unlock()
					continue
				}
				w.agg.Merge(w.obj)
				w.objects++
				w.bytes += n
				w.lineBytes += lb
			}
			mu.Lock()
			res.Merge(w.agg)
			res.Objects += w.objects
			res.Bytes += w.bytes
			res.LineBytes += w.lineBytes
			mu.Unlock()
		}()
	}
	listErr := src.List(ctx, func(o Object) error {
		select {
		case objs <- o:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(objs)
	wg.Wait()
	if listErr != nil {
		return nil, listErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Strings(res.Unreadable)
	res.Elapsed = time.Since(start)
	return res, nil
}

type worker struct {
	agg, obj  *Aggregator
	parser    Parser
	rec       Record
	br        *bufio.Reader
	gz        *gzip.Reader
	sink      lineSink
	objects   int64
	bytes     int64
	lineBytes int64
}

func newWorker(cfg *Config) *worker {
	w := &worker{agg: NewAggregator(cfg), obj: NewAggregator(cfg), br: bufio.NewReaderSize(nil, 64<<10)}
	w.parser.TagKey = cfg.opt.TagKey
	w.sink.w = w
	return w
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readObject aggregates one object into w.obj (reset first). It returns the
// compressed bytes read and the uncompressed line bytes.
func (w *worker) readObject(ctx context.Context, o Object) (int64, int64, error) {
	w.obj.Reset()
	rc, err := o.Open(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	w.br.Reset(cr)
	var src io.WriterTo = w.br
	if magic, _ := w.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if w.gz == nil {
			w.gz, err = gzip.NewReader(w.br)
		} else {
			err = w.gz.Reset(w.br)
		}
		if err != nil {
			return cr.n, 0, fmt.Errorf("gzip: %w", err)
		}
		src = w.gz
	}
	lb, err := w.sink.from(src)
	return cr.n, lb, err
}

// lineSink splits a stream into lines and parses each one. The decompressor
// writes straight from its window (gzip.Reader.WriteTo), so a line is parsed
// where it was decoded and only a line that spans two writes is copied.
type lineSink struct {
	w       *worker
	partial []byte // the start of a line that continues in the next write
	over    bool   // the current line is already longer than MaxLineBytes
}

// from reads src to its end and returns the line bytes seen.
func (s *lineSink) from(src io.WriterTo) (int64, error) {
	s.partial, s.over = s.partial[:0], false
	n, err := src.WriteTo(s)
	if err == nil {
		s.endLine() // a last line without a newline
	}
	if cap(s.partial) > 1<<20 {
		s.partial = nil // do not keep the memory of one huge line
	}
	return n, err
}

func (s *lineSink) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.partial) > 0 || s.over {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.keep(p)
			return n, nil
		}
		s.keep(p[:i+1])
		s.endLine()
		p = p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		if i+1 > MaxLineBytes {
			s.oversized()
		} else {
			s.w.line(p[:i+1])
		}
		p = p[i+1:]
	}
	s.keep(p)
	return n, nil
}

// keep appends p to the pending line, or drops it once the line is too long.
func (s *lineSink) keep(p []byte) {
	if s.over || len(p) == 0 {
		return
	}
	if len(s.partial)+len(p) > MaxLineBytes {
		s.over, s.partial = true, s.partial[:0]
		return
	}
	s.partial = append(s.partial, p...)
}

// endLine parses the pending line, or counts it as oversized.
func (s *lineSink) endLine() {
	if s.over {
		s.oversized()
		s.over = false
		return
	}
	if len(s.partial) > 0 {
		s.w.line(s.partial)
		s.partial = s.partial[:0]
	}
}

// oversized counts a line longer than MaxLineBytes: skipped and reported as
// oversized, not as malformed JSON.
func (s *lineSink) oversized() {
	s.w.obj.Skipped++
	s.w.obj.Oversized++
}

func (w *worker) line(line []byte) {
	line = bytes.TrimRight(line, "\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	if w.parser.Parse(line, &w.rec) != nil {
		w.obj.Skipped++
		return
	}
	w.obj.AddRecord(&w.rec)
}

// ReadLines aggregates JSON lines from r into agg (for tests and small inputs).
func ReadLines(r io.Reader, agg *Aggregator) error {
	w := &worker{obj: agg}
	w.parser.TagKey = agg.cfg.opt.TagKey
	w.sink.w = w
	_, err := w.sink.from(bufio.NewReaderSize(r, 64<<10))
	return err
}

// DateRange is an inclusive range of UTC dates used to choose date prefixes.
// A zero DateRange means every date.
type DateRange struct{ From, To time.Time }

// Contains reports whether the UTC date y/m/d is in the range.
func (r DateRange) Contains(y, m, d int) bool {
	if r.From.IsZero() && r.To.IsZero() {
		return true
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || !t.After(r.To))
}

// DeliveryLag is how far after its timestamp a record may land in a later
// date prefix (records written just before midnight are delivered after it).
const DeliveryLag = 24 * time.Hour

// DateRangeFor returns the UTC date prefixes to read for records in
// [start, end): the dates touched, plus the day after for late deliveries.
// Records outside [start, end) are still dropped by timestamp.
func DateRangeFor(start, end time.Time) DateRange {
	if !end.IsZero() {
		end = end.Add(DeliveryLag)
	}
	var r DateRange
	if !start.IsZero() {
		s := start.UTC()
		r.From = time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC)
	}
	if !end.IsZero() {
		e := end.UTC().Add(-time.Nanosecond)
		r.To = time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC)
	}
	return r
}

// Days returns every date in a bounded range.
func (r DateRange) Days() []time.Time {
	var out []time.Time
	for d := r.From; !d.After(r.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// IsLogName reports whether an object name (its last path element) looks like
// a log batch: *.json.gz, *.gz, *.json or *.jsonl, and not the permission
// check object.
func IsLogName(name string) bool {
	base := path.Base(name)
	if base == PermissionCheckObject {
		return false
	}
	for _, ext := range []string{".json.gz", ".gz", ".json", ".jsonl", ".jsonl.gz"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

// InDataDir reports whether a relative path lies under a data/ directory (the
// large-body objects of BEDROCK.md, not log records).
func InDataDir(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if seg == "data" {
			return true
		}
	}
	return false
}

// datePath recognises the .../YYYY/MM/DD part of a path ending in DD.
func datePath(rel string) (y, m, d int, ok bool) {
	segs := strings.Split(rel, "/")
	if len(segs) < 3 {
		return 0, 0, 0, false
	}
	ys, ms, ds := segs[len(segs)-3], segs[len(segs)-2], segs[len(segs)-1]
	if len(ys) != 4 || len(ms) != 2 || len(ds) != 2 {
		return 0, 0, 0, false
	}
	y, e1 := strconv.Atoi(ys)
	m, e2 := strconv.Atoi(ms)
	d, e3 := strconv.Atoi(ds)
	if e1 != nil || e2 != nil || e3 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// LocalSource lists log files under a directory laid out like the S3 bucket
// ([prefix/]AWSLogs/<acct>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/).
// It skips data/ directories, the permission-check object and files that are
// not logs, and date directories outside Dates.
type LocalSource struct {
	Root  string
	Dates DateRange
}

// List implements Source.
func (s LocalSource) List(ctx context.Context, fn func(Object) error) error {
	st, err := os.Stat(s.Root)
	if err != nil {
		return fmt.Errorf("read logs: %w", err)
	}
	if !st.IsDir() {
		return fn(fileObject(s.Root, st.Size()))
	}
	return filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == s.Root {
				return fmt.Errorf("read logs: %w", err)
			}
			// An unreadable directory or file is reported by Read like an
			// unreadable object.
			return fn(Object{Name: p, Open: func(context.Context) (io.ReadCloser, error) { return nil, err }})
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(s.Root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p == s.Root {
				return nil
			}
			if d.Name() == "data" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if y, m, dd, ok := datePath(rel); ok && !s.Dates.Contains(y, m, dd) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !IsLogName(p) || InDataDir(rel) {
			return nil
		}
		info, err := d.Info()
		size := int64(0)
		if err == nil {
			size = info.Size()
		}
		return fn(fileObject(p, size))
	})
}

func fileObject(p string, size int64) Object {
	return Object{Name: p, Size: size, Open: func(context.Context) (io.ReadCloser, error) { return os.Open(p) }}
}
