package usage

import (
	"sort"
	"strings"
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
	// Unpriced counts records with tokens the cost leaves out: the model has
	// no price, or one of its token kinds (cache tokens, say) has none. For
	// pre-aggregated groups every record of the group counts.
	Unpriced int64
	// UnpricedTokens counts the tokens the cost leaves out.
	UnpricedTokens int64
}

// CostStatus says how much of a cost is known: "complete", "partial" (some
// records have tokens without a price, so the cost is a lower bound) or
// "unpriced" (no token of the row has a price).
func (c *Counters) CostStatus() string {
	switch {
	case c.Unpriced == 0:
		return CostComplete
	case c.CostUnits == 0 && c.UnpricedTokens == c.tokens():
		return CostUnpriced
	default:
		return CostPartial
	}
}

// The values of CostStatus.
const (
	CostComplete = "complete"
	CostPartial  = "partial"
	CostUnpriced = "unpriced"
)

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
	c.UnpricedTokens += o.UnpricedTokens
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
	ByRegion
	ByInferenceRegion
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
	prices map[string]*Price
	start  int64 // unix nanos, or minInt
	end    int64 // unix nanos, or maxInt
}

// NewConfig prepares Options for aggregation.
func NewConfig(opt Options) *Config {
	if opt.Prices == nil {
		opt.Prices = EmbeddedPrices()
	}
	c := &Config{opt: opt, prices: make(map[string]*Price, len(opt.Prices.Models)), start: -1 << 63, end: 1<<63 - 1}
	for id, p := range opt.Prices.Models {
		c.prices[id] = &p
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
	base     string
	price    *Price // nil: the model has no price
	global   bool   // called through a global. inference profile
	byRegion map[string]unitPrice
	// the last region asked for, which is nearly always the next one
	lastRegion string
	lastUnits  unitPrice
	haveLast   bool
}

// units returns the resolved price of a request made in region.
func (m *modelInfo) units(region []byte) unitPrice {
	if m.haveLast && string(region) == m.lastRegion {
		return m.lastUnits
	}
	u, ok := m.byRegion[string(region)]
	if !ok {
		u = m.price.units(string(region), m.global)
		m.byRegion[string(region)] = u
	}
	m.lastRegion, m.lastUnits, m.haveLast = string(region), u, true
	return u
}

// unpricedInfo is what the cost leaves out for one base model.
type unpricedInfo struct {
	records, tokens int64
	missing         uint8 // token kinds without a price that had tokens
}

// Aggregator sums records into totals and breakdowns. It is not safe for
// concurrent use: give each worker its own and Merge them.
type Aggregator struct {
	cfg        *Config
	Total      Counters
	dims       [numDims]map[string]*Counters
	days       map[int32]*Counters
	dayModel   map[dayModelKey]*Counters
	unpriced   map[string]*unpricedInfo // by base model
	models     map[string]*modelInfo
	Skipped    int64 // malformed lines (oversized ones included)
	Oversized  int64 // lines longer than MaxLineBytes
	OutOfRange int64 // well-formed records outside [Start, End)
}

// NewAggregator returns an empty Aggregator.
func NewAggregator(cfg *Config) *Aggregator {
	a := &Aggregator{cfg: cfg, days: map[int32]*Counters{}, dayModel: map[dayModelKey]*Counters{}, unpriced: map[string]*unpricedInfo{}, models: map[string]*modelInfo{}}
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
	a.Skipped, a.OutOfRange, a.Oversized = 0, 0, 0
}

func (a *Aggregator) model(id []byte) *modelInfo {
	if m := a.models[string(id)]; m != nil {
		return m
	}
	base, isProfile := BaseModel(string(id))
	m := &modelInfo{base: base, global: isGlobal(string(id)), byRegion: map[string]unitPrice{}}
	if isProfile {
		resolved, ok := a.cfg.opt.Profiles[base]
		if !ok && a.cfg.opt.Resolve != nil {
			resolved, ok = a.cfg.opt.Resolve(base)
		}
		if ok {
			m.base, _ = BaseModel(resolved)
			m.global = isGlobal(resolved)
			m.price = a.cfg.prices[m.base]
		}
	} else {
		m.price = a.cfg.prices[base]
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
	// Region is where the requests were made (it selects regional prices);
	// InferenceRegion where they ran. Empty: unknown.
	Region, InferenceRegion string
	Counters                Counters
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
	a.add(r.ModelID, r.AccountID, CallerKey(r.CallerARN), r.Operation, r.Tag, r.HasTag, r.Region, r.InferenceRegion, dayOf(r.Timestamp), &c)
}

// AddGroup adds pre-aggregated counts.
func (a *Aggregator) AddGroup(g *Group) {
	c := g.Counters
	c.CostUnits, c.Unpriced, c.UnpricedTokens = 0, 0, 0
	a.add([]byte(g.ModelID), []byte(g.AccountID), CallerKey([]byte(g.Caller)), []byte(g.Operation), []byte(g.Tag), g.HasTag,
		[]byte(g.Region), []byte(g.InferenceRegion), dayOf(g.Day), &c)
}

func dayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return int32(d)
}

// isGlobal reports a model id or profile ARN that names a global. profile.
func isGlobal(id string) bool {
	if i := strings.LastIndexByte(id, '/'); i >= 0 && strings.HasPrefix(id, "arn:") {
		id = id[i+1:]
	}
	return strings.HasPrefix(id, "global.")
}

func (a *Aggregator) add(modelID, account, caller, op, tag []byte, hasTag bool, region, infRegion []byte, day int32, c *Counters) {
	m := a.model(modelID)
	tokens := [numKinds]int64{c.InputTokens, c.OutputTokens, c.CacheReadTokens, c.CacheWriteTokens}
	var missing uint8
	if m.price != nil {
		u := m.units(region)
		for k, t := range tokens {
			if u.known&(1<<k) != 0 {
				c.CostUnits += t * u.rate[k]
			} else if t > 0 {
				c.UnpricedTokens += t
				missing |= 1 << k
			}
		}
	} else {
		for k, t := range tokens {
			c.UnpricedTokens += t
			if t > 0 {
				missing |= 1 << k
			}
		}
	}
	if m.price == nil || missing != 0 {
		c.Unpriced = c.Records
		u := a.unpriced[m.base]
		if u == nil {
			u = &unpricedInfo{}
			a.unpriced[m.base] = u
		}
		u.records += c.Records
		u.tokens += c.UnpricedTokens
		u.missing |= missing
		if m.price == nil {
			u.missing = 1<<numKinds - 1
		}
	}
	a.Total.Add(c)
	a.bump(ByModel, m.base, c)
	a.bumpB(ByModelID, modelID, c)
	a.bumpB(ByAccount, account, c)
	a.bumpB(ByCaller, caller, c)
	a.bumpB(ByOperation, op, c)
	a.bumpB(ByRegion, region, c)
	if len(infRegion) == 0 {
		infRegion = region
	}
	a.bumpB(ByInferenceRegion, infRegion, c)
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
		u := a.unpriced[k]
		if u == nil {
			u = &unpricedInfo{}
			a.unpriced[k] = u
		}
		u.records += n.records
		u.tokens += n.tokens
		u.missing |= n.missing
	}
	a.Skipped += o.Skipped
	a.Oversized += o.Oversized
	a.OutOfRange += o.OutOfRange
}

// KeyCounters is one row of a breakdown.
type KeyCounters struct {
	Key string
	Counters
}

// Rows returns one breakdown. Rows whose cost is complete are ranked by cost
// (then tokens, records, key); a row whose cost is partial or unpriced cannot
// be ranked by cost, so it is ranked by its tokens among all rows of the
// breakdown. The two rankings are merged, a partial row first on a tie. So
// the first N rows always hold the N largest spenders among fully priced rows
// and every row with an unknown cost that is among the N largest by tokens:
// --top N never hides the biggest user of an unpriced model.
func (a *Aggregator) Rows(dim Dimension) []KeyCounters {
	rows := make([]KeyCounters, 0, len(a.dims[dim]))
	for k, c := range a.dims[dim] {
		rows = append(rows, KeyCounters{k, *c})
	}
	return rankRows(rows)
}

func rankRows(rows []KeyCounters) []KeyCounters {
	byTokens := func(x, y *KeyCounters) bool {
		tx, ty := x.tokens(), y.tokens()
		if tx != ty {
			return tx > ty
		}
		if x.Records != y.Records {
			return x.Records > y.Records
		}
		return x.Key < y.Key
	}
	sort.Slice(rows, func(i, j int) bool { return byTokens(&rows[i], &rows[j]) })
	rank := make(map[string]int, len(rows))
	var complete []KeyCounters
	for i := range rows {
		if rows[i].Unpriced > 0 {
			rank[rows[i].Key] = i
		} else {
			complete = append(complete, rows[i])
		}
	}
	sort.SliceStable(complete, func(i, j int) bool { return complete[i].CostUnits > complete[j].CostUnits })
	for i := range complete {
		rank[complete[i].Key] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := &rows[i], &rows[j]
		if rank[x.Key] != rank[y.Key] {
			return rank[x.Key] < rank[y.Key]
		}
		if (x.Unpriced > 0) != (y.Unpriced > 0) {
			return x.Unpriced > 0
		}
		return false
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

// UnpricedModels returns the base models whose cost is not (fully) known,
// most unpriced tokens first.
func (a *Aggregator) UnpricedModels() []UnpricedModel {
	out := make([]UnpricedModel, 0, len(a.unpriced))
	for k, u := range a.unpriced {
		x := UnpricedModel{Key: k, Records: u.records, Tokens: u.tokens, Missing: []string{}}
		for i := range numKinds {
			if u.missing&(1<<i) != 0 {
				x.Missing = append(x.Missing, KindNames[i])
			}
		}
		x.NoPrice = a.cfg.prices[k] == nil
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Tokens != out[j].Tokens {
			return out[i].Tokens > out[j].Tokens
		}
		if out[i].Records != out[j].Records {
			return out[i].Records > out[j].Records
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// UnpricedModel is a base model whose cost is not (fully) in the report.
type UnpricedModel struct {
	Key string `json:"key"`
	// Records counts the records with unpriced tokens; Tokens those tokens.
	Records int64 `json:"records"`
	Tokens  int64 `json:"tokens"`
	// NoPrice is set when the price table has no entry for the model at all;
	// otherwise Missing names the token kinds it lacks a price for.
	NoPrice bool     `json:"no_price"`
	Missing []string `json:"missing"`
}

// HasTag reports whether the by_tag breakdown is enabled.
func (a *Aggregator) HasTag() bool { return a.cfg.opt.TagKey != "" }
