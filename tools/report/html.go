package main

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

var palette = []string{"#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#9ca3af"}

// short renders a large number compactly for axis labels.
func short(v float64) string {
	switch {
	case v >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 1, 64) + "G"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func tokensOf(x usage.Row) int64 {
	return x.InputTokens + x.OutputTokens + x.CacheReadTokens + x.CacheWriteTokens
}

// tokensPerDayChart is a stacked bar chart: one bar per UTC day, one colour
// per base model (the largest eight; the rest as "other").
func tokensPerDayChart(r *usage.Report) template.HTML {
	if len(r.ByDay) == 0 {
		return template.HTML(`<p class="empty">No usage in the period.</p>`)
	}
	totals := map[string]int64{}
	for _, c := range r.DailyByModel {
		totals[c.Model] += tokensOf(c.Row)
	}
	models := make([]string, 0, len(totals))
	for m := range totals {
		models = append(models, m)
	}
	sort.Slice(models, func(i, j int) bool {
		if totals[models[i]] != totals[models[j]] {
			return totals[models[i]] > totals[models[j]]
		}
		return models[i] < models[j]
	})
	const maxSeries = 8
	series := models
	if len(series) > maxSeries {
		series = append(append([]string{}, models[:maxSeries]...), "other")
	}
	index := map[string]int{}
	for i, m := range series {
		index[m] = i
	}
	dayIdx := map[string]int{}
	for i, d := range r.ByDay {
		dayIdx[d.Key] = i
	}
	stack := make([][]float64, len(r.ByDay))
	for i := range stack {
		stack[i] = make([]float64, len(series))
	}
	for _, c := range r.DailyByModel {
		s, ok := index[c.Model]
		if !ok {
			s = len(series) - 1
		}
		stack[dayIdx[c.Day]][s] += float64(tokensOf(c.Row))
	}
	maxV := 1.0
	for _, d := range stack {
		sum := 0.0
		for _, v := range d {
			sum += v
		}
		maxV = max(maxV, sum)
	}
	const w, h, left, top, bottom = 960.0, 340.0, 70.0, 10.0, 60.0
	plotW, plotH := w-left-10, h-top-bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="tokens per day by model" data-chart="tokens-per-day">`, w, h+22*float64((len(series)+2)/3))
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#e5e7eb"/><text x="%.0f" y="%.1f" text-anchor="end" class="ax">%s</text>`,
			left, y, w-10, y, left-6, y+4, short(maxV*float64(i)/4))
	}
	slot := plotW / float64(len(stack))
	bw := max(slot*0.75, 1)
	every := 1 + len(stack)/16
	for i, d := range stack {
		x := left + slot*float64(i) + (slot-bw)/2
		y := top + plotH
		for s, v := range d {
			bh := plotH * v / maxV
			if v > 0 {
				bh = max(bh, 1.5) // a series with usage stays visible next to a large one
			}
			y -= bh
			if bh > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" data-day="%s" data-series="%s" data-tokens="%d"><title>%s %s: %s tokens</title></rect>`,
					x, y, bw, bh, palette[s%len(palette)], r.ByDay[i].Key, htmlText(series[s]), int64(v), r.ByDay[i].Key, htmlText(series[s]), n(int64(v)))
			}
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" class="ax">%s</text>`, x+bw/2, top+plotH+16, r.ByDay[i].Key[5:])
		}
	}
	for s, name := range series {
		x := left + float64(s%3)*300
		y := h - 20 + 22*float64(s/3)
		fmt.Fprintf(&b, `<g class="legend" data-series="%s"><rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f" class="lg">%s</text></g>`,
			htmlText(name), x, y, palette[s%len(palette)], x+18, y+11, htmlText(trim(name, 44)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n/2-1] + "…" + s[len(s)-n/2+1:]
}

// barChart is a horizontal bar chart of the first n rows by value. A row
// whose cost is partial gets a hatched tail and says so; a row whose cost is
// unknown gets a hatched bar labelled "unpriced", never a $0.00 bar.
func barChart(id, label string, rows []usage.Row, top int, value func(usage.Row) float64, format func(float64) string, costs bool) template.HTML {
	if top <= 0 || top > 15 {
		top = 15
	}
	if len(rows) > top {
		rows = rows[:top]
	}
	maxV := 0.0
	marked := false
	for _, r := range rows {
		maxV = max(maxV, value(r))
		marked = marked || (costs && r.CostStatus != usage.CostComplete)
	}
	if len(rows) == 0 || (maxV == 0 && !marked) {
		return template.HTML(`<p class="empty">Nothing to chart.</p>`)
	}
	maxV = max(maxV, 1e-12)
	const w, left, right, rowH, tail = 960.0, 360.0, 230.0, 26.0, 14.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" data-chart="%s">`,
		w, rowH*float64(len(rows))+8, htmlText(label), id)
	for i, r := range rows {
		y := 4 + rowH*float64(i)
		v := value(r)
		bw := max((w-left-right-tail)*v/maxV, 1)
		status := usage.CostComplete
		if costs {
			status = r.CostStatus
		}
		fmt.Fprintf(&b, `<g data-key="%s" data-status="%s">`, htmlText(r.Key), status)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" class="lb">%s<title>%s</title></text>`, left-8, y+16, htmlText(trim(r.Key, 56)), htmlText(r.Key))
		text := format(v)
		switch status {
		case usage.CostUnpriced:
			bw = 0
			text = "unpriced: " + short(float64(r.UnpricedTokens)) + " tokens without a price"
		case usage.CostPartial:
			text += " + " + short(float64(r.UnpricedTokens)) + " unpriced tokens (partial)"
		}
		if bw > 0 {
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`, left, y+3, bw, rowH-8, palette[0])
		}
		if status != usage.CostComplete {
			fmt.Fprintf(&b, `<rect class="unpriced" x="%.1f" y="%.1f" width="%.0f" height="%.0f" fill="url(#hatch)" stroke="#b45309"><title>cost of %s tokens unknown</title></rect>`,
				left+bw, y+3, tail, rowH-8, n(r.UnpricedTokens))
			bw += tail
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="lb">%s</text></g>`, left+bw+6, y+16, htmlText(text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// costPerDayChart is one bar per UTC day of the estimated cost; a day whose
// cost is partial or unknown is hatched. Days without records are empty.
func costPerDayChart(r *usage.Report) template.HTML {
	if len(r.ByDay) == 0 {
		return template.HTML(`<p class="empty">No usage in the period.</p>`)
	}
	maxV := 0.0
	for _, d := range r.ByDay {
		maxV = max(maxV, usage.USD(d.CostUnits))
	}
	const w, h, left, top, bottom = 960.0, 260.0, 70.0, 10.0, 30.0
	plotW, plotH := w-left-10, h-top-bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="estimated cost per day" data-chart="cost-per-day">`, w, h)
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#e5e7eb"/><text x="%.0f" y="%.1f" text-anchor="end" class="ax">$%s</text>`,
			left, y, w-10, y, left-6, y+4, money(int64(maxV*float64(i)/4*usage.CostUnitsPerUSD)))
	}
	slot := plotW / float64(len(r.ByDay))
	bw := max(slot*0.75, 1)
	every := 1 + len(r.ByDay)/16
	for i, d := range r.ByDay {
		x := left + slot*float64(i) + (slot-bw)/2
		v := usage.USD(d.CostUnits)
		bh := 0.0
		if maxV > 0 && v > 0 {
			bh = max(plotH*v/maxV, 1.5)
		}
		fill := palette[0]
		label := "$" + money(d.CostUnits)
		switch d.CostStatus {
		case usage.CostPartial:
			fill, label = "url(#hatch)", label+" (partial: "+n(d.UnpricedTokens)+" tokens without a price)"
		case usage.CostUnpriced:
			fill, label, bh = "url(#hatch)", "unpriced: "+n(d.UnpricedTokens)+" tokens without a price", plotH*0.05
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#374151" stroke-width="%.1f" data-day="%s" data-status="%s" data-cost="%s"><title>%s: %s</title></rect>`,
			x, top+plotH-bh, bw, bh, fill, map[bool]float64{true: 0.5, false: 0}[fill != palette[0]], d.Key, d.CostStatus, usage.FormatUSD(d.CostUnits), d.Key, htmlText(label))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" class="ax">%s</text>`, x+bw/2, top+plotH+16, d.Key[5:])
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

type htmlSection struct {
	Title, Column string
	Rows          [][]string
	More          int
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bedrock usage report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#111827;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#4b5563}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:8px 14px;min-width:120px}.card b{display:block;font-size:18px}
.card span{color:#6b7280;font-size:12px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #f3f4f6;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal;word-break:break-all}
th{background:#f9fafb;font-weight:600}svg{width:100%;height:auto}.ax{font-size:11px;fill:#6b7280}
.lb,.lg{font-size:12px;fill:#111827}.empty{color:#6b7280}.warn{color:#b45309}.more{color:#6b7280;font-size:12px}
</style></head><body>
<h1>Bedrock usage report</h1>
<div class="meta">source <code>{{.R.Source}}</code> · period {{.Period}} · prices: {{.R.Prices.Source}} (as of {{.AsOf}})</div>
<div class="cards">
<div class="card"><b>{{.Records}}</b><span>records</span></div>
<div class="card"><b>{{.Errors}}</b><span>errors</span></div>
<div class="card"><b>{{.Input}}</b><span>input tokens</span></div>
<div class="card"><b>{{.Output}}</b><span>output tokens</span></div>
<div class="card"><b>{{.CacheRead}}</b><span>cache read tokens</span></div>
<div class="card"><b>{{.CacheWrite}}</b><span>cache write tokens</span></div>
<div class="card"><b>{{.Cost}}</b><span>estimated cost{{if .R.UnpricedRecords}} (partial){{end}}</span></div>
<div class="card"><b>{{.UnpricedTokens}}</b><span>tokens without a price</span></div>
<div class="card"><b>{{.Unpriced}}</b><span>unpriced records</span></div>
<div class="card"><b>{{.R.SkippedLines}}</b><span>skipped lines</span></div>
<div class="card"><b>{{.R.UnreadableObjects}}</b><span>unreadable objects</span></div>
</div>
{{if .R.UnpricedModels}}<p class="warn">Unpriced models (tokens without a price are left out of the cost, never counted as $0):{{range .R.UnpricedModels}} <code>{{.Key}}</code> ({{if .NoPrice}}no price{{else}}no {{range $i, $k := .Missing}}{{if $i}}, {{end}}{{$k}}{{end}} price{{end}}; {{.Records}} records, {{.Tokens}} tokens){{end}}</p>{{end}}
<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde68a"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b45309" stroke-width="3"/></pattern></defs></svg>
{{if .Legend}}<p class="warn">{{.Legend}} Hatched bars mark such costs.</p>{{end}}
{{if .Compare}}<p class="more">{{.Compare}}</p>{{end}}
<h2>Tokens per day by model (input + output + cache read + cache write)</h2>{{.DayChart}}
<h2>Estimated cost per day (USD, sum of priced tokens)</h2>{{.CostDayChart}}
<h2>Estimated cost by account (USD, sum of priced tokens)</h2>{{.AccountChart}}
<h2>Top callers by {{.CallerMeasure}}</h2>{{.CallerChart}}
{{range .Sections}}<h2>{{.Title}}</h2>
<table><tr><th>{{.Column}}</th>{{range $.Heads}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{if .More}}<p class="more">{{.More}} more rows in --format json or csv.</p>{{end}}
{{end}}
{{if .R.UnreadableObjectNames}}<h2>Unreadable objects</h2><ul>{{range .R.UnreadableObjectNames}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{range .R.Notes}}<p class="more">note: {{.}}</p>{{end}}
</body></html>
`))

func writeHTML(w io.Writer, r *usage.Report, top int) error {
	var secs []htmlSection
	for _, s := range sections(r) {
		rows, more := limit(s.rows, top)
		hs := htmlSection{Title: s.title, Column: s.column, More: more}
		for _, x := range rows {
			hs.Rows = append(hs.Rows, append([]string{x.Key}, cellsFor(r, x)...))
		}
		secs = append(secs, hs)
	}
	usd := func(x usage.Row) float64 { return usage.USD(x.CostUnits) }
	dollars := func(v float64) string { return "$" + money(int64(v*usage.CostUnitsPerUSD)) }
	callerMeasure := "estimated cost (USD, sum of priced tokens)"
	callerChart := barChart("cost-by-caller", "top callers", r.ByCaller, top, usd, dollars, true)
	if r.CostUnits == 0 {
		callerMeasure = "tokens (input + output + cache)"
		byTokens := append([]usage.Row{}, r.ByCaller...)
		sort.SliceStable(byTokens, func(i, j int) bool { return tokensOf(byTokens[i]) > tokensOf(byTokens[j]) })
		callerChart = barChart("tokens-by-caller", "top callers", byTokens, top, func(x usage.Row) float64 { return float64(tokensOf(x)) }, short, false)
	}
	return page.Execute(w, map[string]any{
		"R": r, "Period": periodText(r.Period), "AsOf": orDash(r.Prices.AsOf),
		"Records": n(r.Records), "Errors": n(r.Errors), "Input": n(r.InputTokens), "Output": n(r.OutputTokens),
		"CacheRead": n(r.CacheReadTokens), "CacheWrite": n(r.CacheWriteTokens), "Cost": costCell(r), "Unpriced": n(r.UnpricedRecords), "UnpricedTokens": n(r.UnpricedTokens),
		"DayChart":      tokensPerDayChart(r),
		"CostDayChart":  costPerDayChart(r),
		"AccountChart":  barChart("cost-by-account", "cost by account", r.ByAccount, top, usd, dollars, true),
		"Legend":        costLegend(r),
		"CallerMeasure": callerMeasure, "CallerChart": callerChart,
		"Sections": secs, "Heads": headsFor(r), "Compare": compareText(r),
	})
}

// costCell is the total cost card: never a plain $0.00 when unknown.
func costCell(r *usage.Report) string {
	switch r.CostStatus {
	case usage.CostUnpriced:
		return "unpriced"
	case usage.CostPartial:
		return "$" + money(r.CostUnits) + "*"
	}
	return "$" + money(r.CostUnits)
}

func compareText(r *usage.Report) string {
	if r.Comparison == nil {
		return ""
	}
	return compareLegend(r)
}
