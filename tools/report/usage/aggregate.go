package usage

import (
	"sort"
	"time"
)

// Counters are the eight counters reported for the totals and for every key of
// every breakdown.
type Counters struct {
	Records          int64
	Errors           int64
	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	CostUnits        int64 // estimated cost in 1e-10 USD (see CostUnitsPerUSD)
	Unpriced         int64 // records whose model has no price
}

// Add adds o to c.
func (c *Counters) Add(o *Counters) {
	c.Records += o.Records
	c.Errors += o.Errors
	c.InputTokens += o.InputTokens
	c.OutputTokens += o.OutputTokens
	c.CacheReadTokens += o.CacheReadTokens
	c.CacheWriteTokens += o.CacheWriteTokens
	c.CostUnits += o.CostUnits
	c.Unpriced += o.Unpriced
}

// Dimension names one breakdown of the report.
type Dimension int

// The breakdowns, in report order.
const (
	ByModel Dimension = iota
	ByModelID
	ByAccount
	ByCaller
	ByOperation
	ByTag
	numDims
)

// Keys used when a record lacks the field a breakdown is keyed on.
const (
	UnknownKey  = "(unknown)"
	UntaggedKey = "(untagged)"
)

// Options configure aggregation.
type Options struct {
	// Prices is the price table; nil means the embedded table.
	Prices *PriceTable
	// TagKey adds the by_tag breakdown from requestMetadata[TagKey].
	TagKey string
	// Profiles maps application-inference-profile ARNs to the base model they
	// resolved to (see --resolve-profiles). Unresolved profiles stay whole and
	// unpriced.
	Profiles map[string]string
	// Resolve, if set, is asked (once per worker and ARN) for profiles not in
	// Profiles; it returns the model id or ARN the profile routes to. It must
	// be safe for concurrent use and should memoise.
	Resolve func(profileARN string) (modelID string, ok bool)
	// Start and End bound the report to timestamps in [Start, End); zero values
	// leave that side open. Records outside are counted in OutOfRange.
	Start, End time.Time
}

// Config is the shared, read-only form of Options used by Aggregators.
type Config struct {
	opt    Options
	prices map[string]unitPrice
	start  int64 // unix nanos, or minInt
	end    int64 // unix nanos, or maxInt
}

// NewConfig prepares Options for aggregation.
func NewConfig(opt Options) *Config {
	if opt.Prices == nil {
		opt.Prices = EmbeddedPrices()
	}
	c := &Config{opt: opt, prices: make(map[string]unitPrice, len(opt.Prices.Models)), start: -1 << 63, end: 1<<63 - 1}
	for id, p := range opt.Prices.Models {
		c.prices[id] = p.units()
	}
	if !opt.Start.IsZero() {
		c.start = opt.Start.UnixNano()
	}
	if !opt.End.IsZero() {
		c.end = opt.End.UnixNano()
	}
	return c
}

// Options returns the options the Config was built from.
func (c *Config) Options() Options { return c.opt }

type modelInfo struct {
	base   string
	price  unitPrice
	priced bool
}

// Aggregator sums records into totals and breakdowns. It is not safe for
// concurrent use: give each worker its own and Merge them.
type Aggregator struct {
	cfg        *Config
	Total      Counters
	dims       [numDims]map[string]*Counters
	days       map[int32]*Counters
	dayModel   map[dayModelKey]*Counters
	unpriced   map[string]int64 // records by model key
	models     map[string]*modelInfo
	Skipped    int64 // malformed lines
	OutOfRange int64 // well-formed records outside [Start, End)
}

// NewAggregator returns an empty Aggregator.
func NewAggregator(cfg *Config) *Aggregator {
	a := &Aggregator{cfg: cfg, days: map[int32]*Counters{}, dayModel: map[dayModelKey]*Counters{}, unpriced: map[string]int64{}, models: map[string]*modelInfo{}}
	for i := range a.dims {
		a.dims[i] = map[string]*Counters{}
	}
	return a
}

// Reset empties a, keeping its allocated maps and model cache.
func (a *Aggregator) Reset() {
	a.Total = Counters{}
	for i := range a.dims {
		clear(a.dims[i])
	}
	clear(a.days)
	clear(a.dayModel)
	clear(a.unpriced)
	a.Skipped, a.OutOfRange = 0, 0
}

func (a *Aggregator) model(id []byte) *modelInfo {
	if m := a.models[string(id)]; m != nil {
		return m
	}
	base, isProfile := BaseModel(string(id))
	m := &modelInfo{base: base}
	if isProfile {
		resolved, ok := a.cfg.opt.Profiles[base]
		if !ok && a.cfg.opt.Resolve != nil {
			resolved, ok = a.cfg.opt.Resolve(base)
		}
		if ok {
			m.base, _ = BaseModel(resolved)
			m.price, m.priced = a.cfg.prices[m.base]
		}
	} else {
		m.price, m.priced = a.cfg.prices[base]
	}
	a.models[string(id)] = m
	return m
}

// Group is a pre-aggregated set of records sharing keys, as returned by
// CloudWatch Logs Insights or derived from metrics. Counters.CostUnits and
// Counters.Unpriced are computed by AddGroup.
type Group struct {
	ModelID   string
	AccountID string
	Caller    string // identity ARN; assumed-role session names are dropped
	Operation string
	Day       time.Time
	Tag       string
	HasTag    bool
	Counters  Counters
}

// AddRecord adds one parsed log record.
func (a *Aggregator) AddRecord(r *Record) {
	ns := r.Timestamp.UnixNano()
	if ns < a.cfg.start || ns >= a.cfg.end {
		a.OutOfRange++
		return
	}
	c := Counters{Records: 1, InputTokens: r.InputTokens, OutputTokens: r.OutputTokens,
		CacheReadTokens: r.CacheReadTokens, CacheWriteTokens: r.CacheWriteTokens}
	if r.HasError {
		c.Errors = 1
	}
	a.add(r.ModelID, r.AccountID, CallerKey(r.CallerARN), r.Operation, r.Tag, r.HasTag, dayOf(r.Timestamp), &c)
}

// AddGroup adds pre-aggregated counts.
func (a *Aggregator) AddGroup(g *Group) {
	c := g.Counters
	c.CostUnits, c.Unpriced = 0, 0
	a.add([]byte(g.ModelID), []byte(g.AccountID), CallerKey([]byte(g.Caller)), []byte(g.Operation), []byte(g.Tag), g.HasTag, dayOf(g.Day), &c)
}

func dayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return int32(d)
}

func (a *Aggregator) add(modelID, account, caller, op, tag []byte, hasTag bool, day int32, c *Counters) {
	m := a.model(modelID)
	if m.priced {
		c.CostUnits = c.InputTokens*m.price.in + c.OutputTokens*m.price.out +
			c.CacheReadTokens*m.price.cacheRead + c.CacheWriteTokens*m.price.cacheWrite
	} else {
		c.Unpriced = c.Records
		a.unpriced[m.base] += c.Records
	}
	a.Total.Add(c)
	a.bump(ByModel, m.base, c)
	a.bumpB(ByModelID, modelID, c)
	a.bumpB(ByAccount, account, c)
	a.bumpB(ByCaller, caller, c)
	a.bumpB(ByOperation, op, c)
	if a.cfg.opt.TagKey != "" {
		if hasTag {
			a.bumpB(ByTag, tag, c)
		} else {
			a.bump(ByTag, UntaggedKey, c)
		}
	}
	d := a.days[day]
	if d == nil {
		d = &Counters{}
		a.days[day] = d
	}
	d.Add(c)
	dm := a.dayModel[dayModelKey{day, m.base}]
	if dm == nil {
		dm = &Counters{}
		a.dayModel[dayModelKey{day, m.base}] = dm
	}
	dm.Add(c)
}

type dayModelKey struct {
	day   int32
	model string
}

func (a *Aggregator) bump(dim Dimension, key string, c *Counters) {
	if key == "" {
		key = UnknownKey
	}
	m := a.dims[dim]
	x := m[key]
	if x == nil {
		x = &Counters{}
		m[key] = x
	}
	x.Add(c)
}

func (a *Aggregator) bumpB(dim Dimension, key []byte, c *Counters) {
	if len(key) == 0 {
		a.bump(dim, UnknownKey, c)
		return
	}
	m := a.dims[dim]
	x := m[string(key)]
	if x == nil {
		x = &Counters{}
		m[string(key)] = x
	}
	x.Add(c)
}

// Merge adds everything counted by o into a.
func (a *Aggregator) Merge(o *Aggregator) {
	a.Total.Add(&o.Total)
	for i := range o.dims {
		for k, c := range o.dims[i] {
			a.bump(Dimension(i), k, c)
		}
	}
	for d, c := range o.days {
		x := a.days[d]
		if x == nil {
			x = &Counters{}
			a.days[d] = x
		}
		x.Add(c)
	}
	for k, c := range o.dayModel {
		x := a.dayModel[k]
		if x == nil {
			x = &Counters{}
			a.dayModel[k] = x
		}
		x.Add(c)
	}
	for k, n := range o.unpriced {
		a.unpriced[k] += n
	}
	a.Skipped += o.Skipped
	a.OutOfRange += o.OutOfRange
}

// KeyCounters is one row of a breakdown.
type KeyCounters struct {
	Key string
	Counters
}

// Rows returns one breakdown, largest cost first (then most tokens, then key).
func (a *Aggregator) Rows(dim Dimension) []KeyCounters {
	rows := make([]KeyCounters, 0, len(a.dims[dim]))
	for k, c := range a.dims[dim] {
		rows = append(rows, KeyCounters{k, *c})
	}
	sort.Slice(rows, func(i, j int) bool {
		x, y := &rows[i], &rows[j]
		if x.CostUnits != y.CostUnits {
			return x.CostUnits > y.CostUnits
		}
		tx, ty := x.tokens(), y.tokens()
		if tx != ty {
			return tx > ty
		}
		if x.Records != y.Records {
			return x.Records > y.Records
		}
		return x.Key < y.Key
	})
	return rows
}

func (c *Counters) tokens() int64 {
	return c.InputTokens + c.OutputTokens + c.CacheReadTokens + c.CacheWriteTokens
}

// Days returns the by_day breakdown in date order, keyed YYYY-MM-DD (UTC).
func (a *Aggregator) Days() []KeyCounters {
	keys := make([]int32, 0, len(a.days))
	for d := range a.days {
		keys = append(keys, d)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	rows := make([]KeyCounters, len(keys))
	for i, d := range keys {
		rows[i] = KeyCounters{time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02"), *a.days[d]}
	}
	return rows
}

// DayModel is one cell of the day x base model cross-tabulation.
type DayModel struct {
	Day   string
	Model string
	Counters
}

// DaysByModel returns the day x base model cells, by day then model.
func (a *Aggregator) DaysByModel() []DayModel {
	out := make([]DayModel, 0, len(a.dayModel))
	for k, c := range a.dayModel {
		out = append(out, DayModel{time.Unix(int64(k.day)*86400, 0).UTC().Format("2006-01-02"), k.model, *c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Model < out[j].Model
	})
	return out
}

// UnpricedModels returns the model keys without a price and their record
// counts, most records first.
func (a *Aggregator) UnpricedModels() []KeyCount {
	out := make([]KeyCount, 0, len(a.unpriced))
	for k, n := range a.unpriced {
		out = append(out, KeyCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Records != out[j].Records {
			return out[i].Records > out[j].Records
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// KeyCount is a key and a number of records.
type KeyCount struct {
	Key     string `json:"key"`
	Records int64  `json:"records"`
}

// HasTag reports whether the by_tag breakdown is enabled.
func (a *Aggregator) HasTag() bool { return a.cfg.opt.TagKey != "" }
