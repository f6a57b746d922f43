package usage

import (
	"encoding/json"
	"time"
)

// UnusualIncrease is the increase over the previous period that marks a row
// as unusual spending (a 50% increase).
const UnusualIncrease = 50.0

// Change compares a row with the same key in the previous period of the same
// length.
type Change struct {
	PreviousCostUSD    json.Number `json:"previous_estimated_cost_usd"`
	PreviousCostStatus string      `json:"previous_cost_status"`
	PreviousTokens     int64       `json:"previous_tokens"`
	// Basis is "cost" when both periods' costs are complete and the previous
	// one is not zero, else "tokens" (a partial cost cannot be compared).
	Basis string `json:"basis"`
	// ChangePct is the increase in percent; null when the previous period had
	// nothing to compare with (a new row).
	ChangePct *float64 `json:"change_pct"`
	// Unusual marks an increase of more than UnusualIncrease percent, or a
	// new row.
	Unusual bool `json:"unusual_increase"`
}

// Comparison summarises the previous period.
type Comparison struct {
	Period  Period `json:"period"`
	Records int64  `json:"records"`
	Change  Change `json:"change"`
	// Gone lists keys per breakdown that had usage in the previous period
	// and none in this one.
	Gone map[string][]string `json:"gone,omitempty"`
}

func changeOf(cur, prev *Row) Change {
	c := Change{PreviousCostUSD: prev.EstimatedCostUSD, PreviousCostStatus: prev.CostStatus, PreviousTokens: rowTokens(prev), Basis: "tokens"}
	var a, b float64
	if cur.CostStatus == CostComplete && prev.CostStatus == CostComplete && prev.CostUnits > 0 {
		c.Basis, a, b = "cost", float64(cur.CostUnits), float64(prev.CostUnits)
	} else {
		a, b = float64(rowTokens(cur)), float64(rowTokens(prev))
	}
	if b > 0 {
		pct := (a - b) / b * 100
		c.ChangePct = &pct
		c.Unusual = pct > UnusualIncrease
	} else {
		c.Unusual = a > 0
	}
	return c
}

func rowTokens(r *Row) int64 {
	return r.InputTokens + r.OutputTokens + r.CacheReadTokens + r.CacheWriteTokens
}

// Compare records in cur the change of every breakdown row (by_day excepted:
// days do not recur) against prev, the report of the previous period.
func Compare(cur, prev *Report) {
	cmp := &Comparison{Period: prev.Period, Records: prev.Records, Gone: map[string][]string{}}
	t, pt := totalRow(cur), totalRow(prev)
	cmp.Change = changeOf(&t, &pt)
	lists := []struct {
		name      string
		cur, prev []Row
	}{{"by_model", cur.ByModel, prev.ByModel}, {"by_model_id", cur.ByModelID, prev.ByModelID}, {"by_account", cur.ByAccount, prev.ByAccount},
		{"by_caller", cur.ByCaller, prev.ByCaller}, {"by_operation", cur.ByOperation, prev.ByOperation}, {"by_region", cur.ByRegion, prev.ByRegion},
		{"by_inference_region", cur.ByInferenceRegion, prev.ByInferenceRegion}, {"by_tag", cur.ByTag, prev.ByTag}}
	for _, l := range lists {
		before := make(map[string]*Row, len(l.prev))
		for i := range l.prev {
			before[l.prev[i].Key] = &l.prev[i]
		}
		for i := range l.cur {
			p := before[l.cur[i].Key]
			if p == nil {
				p = &Row{Figures: Figures{EstimatedCostUSD: "0", CostStatus: CostComplete}}
			}
			c := changeOf(&l.cur[i], p)
			l.cur[i].Change = &c
			delete(before, l.cur[i].Key)
		}
		for _, r := range l.prev {
			if _, ok := before[r.Key]; ok {
				cmp.Gone[l.name] = append(cmp.Gone[l.name], r.Key)
			}
		}
	}
	cur.Comparison = cmp
}

func totalRow(r *Report) Row {
	return Row{Key: "total", Figures: r.Figures}
}

// PreviousPeriod returns the period of the same length just before
// [start, end).
func PreviousPeriod(start, end time.Time) (time.Time, time.Time) {
	return start.Add(-end.Sub(start)), start
}
