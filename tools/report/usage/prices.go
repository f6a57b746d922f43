package usage

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// CostUnitsPerUSD is the resolution of all cost arithmetic: costs are summed as
// integers of 1e-10 USD, so every breakdown sums exactly to the total. Prices
// are therefore honoured to 1e-7 USD per 1,000 tokens, and a single total can
// reach about 922 million USD before it would overflow.
const CostUnitsPerUSD = 10_000_000_000

//go:embed prices.json
var embeddedPrices []byte

// Rates are on-demand prices in USD per 1,000 tokens, one per token kind. A
// nil rate is unknown: tokens of that kind make a cost partial, never $0.
type Rates struct {
	InputPer1K      *float64 `json:"input_per_1k,omitempty"`
	OutputPer1K     *float64 `json:"output_per_1k,omitempty"`
	CacheReadPer1K  *float64 `json:"cache_read_per_1k,omitempty"`
	CacheWritePer1K *float64 `json:"cache_write_per_1k,omitempty"`
}

// Price is the price of one base model. The top-level rates apply to
// requests in the table's reference region through the model id or a
// geographic (us., eu., ...) profile. Regions override them, kind by kind, for
// requests made in another region (cross-region inference is billed at the
// price of the region the request was made in); Global overrides them for
// requests through a global. profile, which AWS prices below the geographic
// ones. An override without a rate falls back to the top-level rate.
//
// Batch holds batch-inference prices for reference; they are not applied,
// because invocation logs do not mark requests of batch jobs.
type Price struct {
	Rates
	Global  *Rates           `json:"global,omitempty"`
	Regions map[string]Rates `json:"regions,omitempty"`
	Batch   *Rates           `json:"batch,omitempty"`
}

// PriceTable maps base model ids (the by_model key) to prices.
type PriceTable struct {
	Source string `json:"source,omitempty"`
	AsOf   string `json:"as_of,omitempty"`
	Note   string `json:"note,omitempty"`
	// AllowNewModels lets a --prices file name models the embedded table does
	// not know.
	AllowNewModels bool             `json:"allow_new_models,omitempty"`
	Models         map[string]Price `json:"models"`
}

// Token kinds, in the order of unitPrice.rate.
const (
	kindInput = iota
	kindOutput
	kindCacheRead
	kindCacheWrite
	numKinds
)

// KindNames name the token kinds in unpriced_models[].missing.
var KindNames = [numKinds]string{"input", "output", "cache_read", "cache_write"}

// unitPrice is a resolved price in cost units per token; known has bit k set
// when kind k has a price.
type unitPrice struct {
	rate  [numKinds]int64
	known uint8
}

func (r *Rates) list() [numKinds]*float64 {
	return [numKinds]*float64{r.InputPer1K, r.OutputPer1K, r.CacheReadPer1K, r.CacheWritePer1K}
}

// units resolves the price of a request made in region (empty: the reference
// region), through a global. profile when global is set.
func (p *Price) units(region string, global bool) unitPrice {
	var u unitPrice
	layers := []*Rates{&p.Rates}
	if r, ok := p.Regions[region]; ok && region != "" {
		layers = append(layers, &r)
	}
	if global && p.Global != nil {
		layers = append(layers, p.Global)
	}
	for _, l := range layers {
		for k, v := range l.list() {
			if v != nil {
				u.rate[k] = int64(math.Round(*v * CostUnitsPerUSD / 1000))
				u.known |= 1 << k
			}
		}
	}
	return u
}

// RoundedPrices names the rates of t finer than the cost resolution (1e-7 USD
// per 1,000 tokens) and what they are rounded to, sorted.
func RoundedPrices(t *PriceTable) []string {
	var out []string
	check := func(id, where string, r *Rates) {
		for k, v := range r.list() {
			if v == nil {
				continue
			}
			units := math.Round(*v * CostUnitsPerUSD / 1000)
			if back := units * 1000 / CostUnitsPerUSD; math.Abs(back-*v) > 1e-12 {
				out = append(out, fmt.Sprintf("%s%s %s %v -> %v", id, where, KindNames[k], *v, back))
			}
		}
	}
	for id, p := range t.Models {
		check(id, "", &p.Rates)
		if p.Global != nil {
			check(id, " global", p.Global)
		}
		for r, x := range p.Regions {
			check(id, " "+r, &x)
		}
	}
	sort.Strings(out)
	return out
}

// F returns a pointer to v, for building Rates.
func F(v float64) *float64 { return &v }

// EmbeddedPrices returns the price table built into the tool.
func EmbeddedPrices() *PriceTable {
	t, err := ParsePrices(embeddedPrices)
	if err != nil {
		panic("embedded price table: " + err.Error())
	}
	return t
}

// EmbeddedPricesJSON returns the built-in table in the --prices file format.
func EmbeddedPricesJSON() []byte { return embeddedPrices }

// LoadPrices reads a price file given by a user:
// {"models": {"<base model id>": {"input_per_1k": 0.003, "output_per_1k": 0.015,
// "cache_read_per_1k": 0.0003, "cache_write_per_1k": 0.00375}}}. An absent rate
// is unknown (its tokens make a cost partial). Every model id must be one the
// embedded table knows, unless the file sets "allow_new_models": true: a
// misspelt or prefixed id (us.anthropic...) would otherwise price nothing and
// say nothing.
func LoadPrices(path string) (*PriceTable, error) {
	if path == "" {
		return nil, fmt.Errorf("--prices: empty file name; give a price file, or aws for the AWS Price List API")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read price file: %w", err)
	}
	t, err := ParsePrices(b)
	if err != nil {
		return nil, fmt.Errorf("price file %s: %w", path, err)
	}
	if !t.AllowNewModels {
		known := EmbeddedPrices().Models
		var unknown []string
		for id := range t.Models {
			if _, ok := known[id]; !ok {
				unknown = append(unknown, id)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			hint := ""
			if base, _ := BaseModel(unknown[0]); base != unknown[0] {
				hint = fmt.Sprintf(" (keys are base model ids: %s, not %s)", base, unknown[0])
			}
			return nil, fmt.Errorf("price file %s: model %s matches no model this tool knows%s; see --print-prices for the known ids, or set \"allow_new_models\": true in the file for a model newer than the tool", path, strings.Join(unknown, ", "), hint)
		}
	}
	if t.Source == "" {
		t.Source = path
	}
	return t, nil
}

// ParsePrices parses and checks a price table.
func ParsePrices(b []byte) (*PriceTable, error) {
	var t PriceTable
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf(`want {"models": {"<base model id>": {"input_per_1k": 0.003, "output_per_1k": 0.015, "cache_read_per_1k": 0.0003, "cache_write_per_1k": 0.00375}}}: %w`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected content after the JSON object at byte %d", dec.InputOffset())
	}
	if t.Models == nil {
		return nil, fmt.Errorf(`no "models" object`)
	}
	var bad []string
	for id, p := range t.Models {
		check := func(where string, r *Rates) {
			for k, v := range r.list() {
				if v != nil && (*v < 0 || *v > 1000 || math.IsNaN(*v)) {
					bad = append(bad, fmt.Sprintf("%s%s: %s_per_1k %v out of range 0..1000", id, where, KindNames[k], *v))
				}
			}
		}
		check("", &p.Rates)
		if p.Global != nil {
			check(" global", p.Global)
		}
		if p.Batch != nil {
			check(" batch", p.Batch)
		}
		for r, x := range p.Regions {
			check(" region "+r, &x)
		}
		if id == "" || strings.TrimSpace(id) != id {
			bad = append(bad, fmt.Sprintf("model id %q: want a base model id such as anthropic.claude-sonnet-4-20250514-v1:0", id))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return &t, nil
}

// FormatUSD renders cost units as an exact decimal number of dollars.
func FormatUSD(units int64) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units, 10)
	for len(s) <= 10 {
		s = "0" + s
	}
	whole, frac := s[:len(s)-10], strings.TrimRight(s[len(s)-10:], "0")
	if neg {
		whole = "-" + whole
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// USD converts cost units to dollars as a float (for display and charts).
func USD(units int64) float64 { return float64(units) / CostUnitsPerUSD }
