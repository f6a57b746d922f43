package usage

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Figures are the counters of the totals and of every breakdown row.
type Figures struct {
	Records          int64       `json:"records"`
	Errors           int64       `json:"errors"`
	InputTokens      int64       `json:"input_tokens"`
	OutputTokens     int64       `json:"output_tokens"`
	CacheReadTokens  int64       `json:"cache_read_input_tokens"`
	CacheWriteTokens int64       `json:"cache_write_input_tokens"`
	EstimatedCostUSD json.Number `json:"estimated_cost_usd"`
	UnpricedRecords  int64       `json:"unpriced_records"`
	// UnpricedTokens are the tokens estimated_cost_usd leaves out.
	UnpricedTokens int64 `json:"unpriced_tokens"`
	// CostStatus is complete, partial (estimated_cost_usd is a lower bound)
	// or unpriced (no token of the row has a price: the cost is unknown).
	CostStatus string `json:"cost_status"`
	// CostUnits is the exact cost in 1e-10 USD (not serialised).
	CostUnits int64 `json:"-"`
}

// FiguresOf converts counters.
func FiguresOf(c *Counters) Figures {
	return Figures{Records: c.Records, Errors: c.Errors, InputTokens: c.InputTokens,
		OutputTokens: c.OutputTokens, CacheReadTokens: c.CacheReadTokens, CacheWriteTokens: c.CacheWriteTokens,
		EstimatedCostUSD: json.Number(FormatUSD(c.CostUnits)), UnpricedRecords: c.Unpriced, UnpricedTokens: c.UnpricedTokens,
		CostStatus: c.CostStatus(), CostUnits: c.CostUnits}
}

// Row is one entry of a breakdown in the JSON report: a key and the same
// figures as the totals.
type Row struct {
	Key string `json:"key"`
	Figures
	// Change compares the row with the previous period (--compare).
	Change *Change `json:"change,omitempty"`
}

// RowOf converts a breakdown entry.
func RowOf(k KeyCounters) Row {
	return Row{Key: k.Key, Figures: FiguresOf(&k.Counters)}
}

// Report is the stable JSON contract of tools/report. Costs are exact decimal
// numbers; every by_* list sums to the totals.
type Report struct {
	Figures
	SkippedLines int64 `json:"skipped_lines"`
	// OversizedLines counts the skipped lines longer than MaxLineBytes.
	OversizedLines    int64 `json:"oversized_lines"`
	MaxLineBytes      int64 `json:"max_line_bytes"`
	UnreadableObjects int64 `json:"unreadable_objects"`

	ByModel     []Row `json:"by_model"`
	ByModelID   []Row `json:"by_model_id"`
	ByAccount   []Row `json:"by_account"`
	ByCaller    []Row `json:"by_caller"`
	ByDay       []Row `json:"by_day"`
	ByOperation []Row `json:"by_operation"`
	// ByRegion is keyed by the region the request was made in,
	// ByInferenceRegion by the region it ran in (the same unless a
	// cross-region inference profile sent it elsewhere).
	ByRegion          []Row `json:"by_region"`
	ByInferenceRegion []Row `json:"by_inference_region"`
	ByTag             []Row `json:"by_tag,omitempty"`

	// DailyByModel cross-tabulates days and base models (for charts).
	DailyByModel []DayModelRow `json:"daily_by_model"`

	// TagKey is the requestMetadata key of by_tag.
	TagKey string `json:"tag_key,omitempty"`
	// UnpricedModels lists the by_model keys that have no price.
	UnpricedModels []UnpricedModel `json:"unpriced_models"`
	// UnreadableObjectNames names the objects counted in unreadable_objects.
	UnreadableObjectNames []string `json:"unreadable_object_names"`
	// OutOfRangeRecords counts well-formed records outside the period.
	OutOfRangeRecords int64 `json:"out_of_range_records"`

	Source  string      `json:"source"`
	Period  Period      `json:"period"`
	Prices  PriceSource `json:"prices"`
	Objects int64       `json:"objects_read,omitempty"`
	Bytes   int64       `json:"bytes_read,omitempty"`
	// Metrics is present for the metrics source of one account and region;
	// MetricsTargets, one per account and region, with --accounts,
	// --organization or --regions.
	Metrics        *MetricsSection  `json:"metrics,omitempty"`
	MetricsTargets []MetricsSection `json:"metrics_targets,omitempty"`
	// FailedTargets counts the accounts and regions that could not be read
	// (named in notes).
	FailedTargets int `json:"failed_targets,omitempty"`
	// Comparison describes the previous period (--compare).
	Comparison *Comparison `json:"comparison,omitempty"`
	// Notes explain limits of the source (for example, metrics carry no caller).
	Notes []string `json:"notes,omitempty"`
}

// Period is the reporting window; empty strings mean open.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// PriceSource says where prices came from.
type PriceSource struct {
	Source string `json:"source"`
	AsOf   string `json:"as_of,omitempty"`
}

// MetricsSection holds the CloudWatch-only figures of the metrics source.
type MetricsSection struct {
	Account       string         `json:"account,omitempty"`
	Region        string         `json:"region"`
	PeriodSeconds int32          `json:"period_seconds"`
	Models        []MetricsModel `json:"models"`
	Queries       int            `json:"queries"`
	Calls         int            `json:"get_metric_data_calls"`
}

// MetricsModel is one ModelId dimension value of AWS/Bedrock.
type MetricsModel struct {
	ModelID          string   `json:"model_id"`
	Invocations      int64    `json:"invocations"`
	InputTokens      int64    `json:"input_tokens"`
	OutputTokens     int64    `json:"output_tokens"`
	CacheReadTokens  int64    `json:"cache_read_input_tokens"`
	CacheWriteTokens int64    `json:"cache_write_input_tokens"`
	ClientErrors     int64    `json:"client_errors"`
	ServerErrors     int64    `json:"server_errors"`
	Throttles        int64    `json:"throttles"`
	LatencyP50Ms     *float64 `json:"latency_ms_p50"`
	LatencyP90Ms     *float64 `json:"latency_ms_p90"`
	LatencyP99Ms     *float64 `json:"latency_ms_p99"`
	TTFTP50Ms        *float64 `json:"time_to_first_token_ms_p50"`
}

// BuildReport turns an aggregator into the JSON contract.
func BuildReport(a *Aggregator, source string, start, end time.Time) *Report {
	t := a.Total
	r := &Report{
		Figures: FiguresOf(&t), SkippedLines: a.Skipped, OversizedLines: a.Oversized, MaxLineBytes: int64(MaxLineBytes), OutOfRangeRecords: a.OutOfRange,
		ByModel: rows(a.Rows(ByModel)), ByModelID: rows(a.Rows(ByModelID)), ByAccount: rows(a.Rows(ByAccount)),
		ByCaller: rows(a.Rows(ByCaller)), ByDay: rows(a.Days()), ByOperation: rows(a.Rows(ByOperation)),
		ByRegion: rows(a.Rows(ByRegion)), ByInferenceRegion: rows(a.Rows(ByInferenceRegion)),
		UnpricedModels: a.UnpricedModels(), DailyByModel: dayModelRows(a.DaysByModel()), UnreadableObjectNames: []string{}, Source: source,
	}
	if a.HasTag() {
		r.TagKey = a.cfg.opt.TagKey
		r.ByTag = rows(a.Rows(ByTag))
	}
	p := a.cfg.opt.Prices
	r.Prices = PriceSource{Source: p.Source, AsOf: p.AsOf}
	var rounded []string // only for models in the report
	for _, x := range RoundedPrices(p) {
		if id, _, _ := strings.Cut(x, " "); a.dims[ByModel][id] != nil {
			rounded = append(rounded, x)
		}
	}
	if len(rounded) > 0 {
		if len(rounded) > 5 {
			rounded = append(rounded[:5], fmt.Sprintf("and %d more", len(rounded)-5))
		}
		r.Notes = append(r.Notes, "prices finer than 1e-7 USD per 1,000 tokens are rounded to that resolution: "+strings.Join(rounded, "; "))
	}
	r.ByDay = fillDays(r.ByDay, start, end)
	if !start.IsZero() {
		r.Period.Start = start.UTC().Format(time.RFC3339)
	}
	if !end.IsZero() {
		r.Period.End = end.UTC().Format(time.RFC3339)
	}
	return r
}

func rows(in []KeyCounters) []Row {
	out := make([]Row, len(in))
	for i, k := range in {
		out[i] = RowOf(k)
	}
	return out
}

// DayModelRow is one cell of daily_by_model.
type DayModelRow struct {
	Day   string `json:"day"`
	Model string `json:"model"`
	Row
}

func dayModelRows(in []DayModel) []DayModelRow {
	out := make([]DayModelRow, len(in))
	for i, d := range in {
		out[i] = DayModelRow{Day: d.Day, Model: d.Model, Row: RowOf(KeyCounters{Key: d.Day + " " + d.Model, Counters: d.Counters})}
	}
	return out
}

// maxFilledDays bounds the zero-filled day series (ten years).
const maxFilledDays = 3660

// fillDays returns the by_day rows with a zero row for every UTC day without
// records between the period's first and last day (or, for an open side, the
// first or last day with records), so that an outage shows as empty days.
func fillDays(days []Row, start, end time.Time) []Row {
	const layout = "2006-01-02"
	var first, last time.Time
	if !start.IsZero() {
		first = start.UTC().Truncate(24 * time.Hour)
	} else if len(days) > 0 {
		first, _ = time.Parse(layout, days[0].Key)
	}
	if !end.IsZero() {
		last = end.UTC().Add(-time.Nanosecond).Truncate(24 * time.Hour)
	} else if len(days) > 0 {
		last, _ = time.Parse(layout, days[len(days)-1].Key)
	}
	if first.IsZero() || last.IsZero() || last.Before(first) || last.Sub(first) > maxFilledDays*24*time.Hour {
		return days
	}
	have := make(map[string]Row, len(days))
	for _, d := range days {
		have[d.Key] = d
	}
	out := make([]Row, 0, int(last.Sub(first).Hours()/24)+1)
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		k := d.Format(layout)
		if x, ok := have[k]; ok {
			out = append(out, x)
			delete(have, k)
		} else {
			out = append(out, Row{Key: k, Figures: Figures{EstimatedCostUSD: "0", CostStatus: CostComplete}})
		}
	}
	if len(have) > 0 { // a day outside the period: cannot happen, records are filtered
		return days
	}
	return out
}
