package usage

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
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

// Price is the on-demand price of one base model, in USD per 1,000 tokens.
type Price struct {
	InputPer1K      float64 `json:"input_per_1k"`
	OutputPer1K     float64 `json:"output_per_1k"`
	CacheReadPer1K  float64 `json:"cache_read_per_1k"`
	CacheWritePer1K float64 `json:"cache_write_per_1k"`
}

// PriceTable maps base model ids (the by_model key) to prices.
type PriceTable struct {
	Source string           `json:"source,omitempty"`
	AsOf   string           `json:"as_of,omitempty"`
	Note   string           `json:"note,omitempty"`
	Models map[string]Price `json:"models"`
}

// unitPrice is a Price in cost units per token.
type unitPrice struct{ in, out, cacheRead, cacheWrite int64 }

func (p Price) units() unitPrice {
	u := func(per1K float64) int64 { return int64(math.Round(per1K * CostUnitsPerUSD / 1000)) }
	return unitPrice{u(p.InputPer1K), u(p.OutputPer1K), u(p.CacheReadPer1K), u(p.CacheWritePer1K)}
}

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

// LoadPrices reads a price file:
// {"models": {"<base model id>": {"input_per_1k": 0.003, "output_per_1k": 0.015,
// "cache_read_per_1k": 0.0003, "cache_write_per_1k": 0.00375}}}; absent fields are 0.
func LoadPrices(path string) (*PriceTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read price file: %w", err)
	}
	t, err := ParsePrices(b)
	if err != nil {
		return nil, fmt.Errorf("price file %s: %w", path, err)
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
	if t.Models == nil {
		return nil, fmt.Errorf(`no "models" object`)
	}
	var bad []string
	for id, p := range t.Models {
		for _, v := range []float64{p.InputPer1K, p.OutputPer1K, p.CacheReadPer1K, p.CacheWritePer1K} {
			if v < 0 || v > 1000 || math.IsNaN(v) {
				bad = append(bad, fmt.Sprintf("%s: price %v out of range 0..1000", id, v))
				break
			}
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
