package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

func write(w io.Writer, format string, r *usage.Report, top int) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		return writeCSV(w, neutralized(r, csvSafe))
	case "markdown":
		return writeMarkdown(w, neutralized(r, mdSafe), top)
	case "html":
		// html/template escapes; control and bidi characters become visible
		return writeHTML(w, neutralized(r, termSafe), top)
	default:
		return writeTable(w, neutralized(r, termSafe), top)
	}
}

// section is one breakdown as shown in human formats.
type section struct {
	title, column string
	rows          []usage.Row
}

func sections(r *usage.Report) []section {
	s := []section{
		{"By model", "MODEL", r.ByModel},
		{"By account", "ACCOUNT", r.ByAccount},
		{"By caller", "CALLER", r.ByCaller},
		{"By operation", "OPERATION", r.ByOperation},
		{"By region (where the request was made)", "REGION", r.ByRegion},
	}
	if !sameKeys(r.ByRegion, r.ByInferenceRegion) {
		s = append(s, section{"By inference region (where cross-region inference ran it)", "INFERENCE REGION", r.ByInferenceRegion})
	}
	if r.TagKey != "" {
		s = append(s, section{"By tag " + r.TagKey, strings.ToUpper(r.TagKey), r.ByTag})
	}
	s = append(s, section{"By day (UTC)", "DAY", r.ByDay}, section{"By model id (as logged)", "MODEL ID", r.ByModelID})
	return s
}

func sameKeys(a, b []usage.Row) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int64{}
	for _, x := range a {
		seen[x.Key] = x.Records
	}
	for _, x := range b {
		if n, ok := seen[x.Key]; !ok || n != x.Records {
			return false
		}
	}
	return true
}

var counterHeads = []string{"RECORDS", "ERRORS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "EST. COST USD", "UNPRICED"}

// money renders cost units for people: 4 decimals, or more for tiny amounts.
func money(units int64) string {
	usd := usage.USD(units)
	switch {
	case units == 0:
		return "0.00"
	case usd < 0.0001:
		return strconv.FormatFloat(usd, 'g', 2, 64)
	case usd < 100:
		return strconv.FormatFloat(usd, 'f', 4, 64)
	default:
		return groupDigits(strconv.FormatFloat(usd, 'f', 2, 64))
	}
}

// groupDigits adds thousands separators to a decimal number.
func groupDigits(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		return b.String() + "." + frac
	}
	return b.String()
}

func n(v int64) string { return groupDigits(strconv.FormatInt(v, 10)) }

// headsFor are the counter columns of r: with a comparison, a VS PREV column.
func headsFor(r *usage.Report) []string {
	if r.Comparison == nil {
		return counterHeads
	}
	return append(append([]string{}, counterHeads...), "VS PREV")
}

// cellsFor are the counter cells of x in r.
func cellsFor(r *usage.Report, x usage.Row) []string {
	c := counterCells(x)
	if r.Comparison != nil {
		c = append(c, changeCell(x.Change))
	}
	return c
}

// changeCell renders a change against the previous period: +63% (cost),
// +63% tok (tokens, when a cost is partial), "new", and a "!" for an
// unusual increase (over 50%).
func changeCell(c *usage.Change) string {
	if c == nil {
		return "-"
	}
	s := "new"
	if c.ChangePct != nil {
		s = strconv.FormatFloat(*c.ChangePct, 'f', 0, 64) + "%"
		if *c.ChangePct >= 0 {
			s = "+" + s
		}
	}
	if c.Basis == "tokens" && c.ChangePct != nil {
		s += " tok"
	}
	if c.Unusual {
		s += " !"
	}
	return s
}

func counterCells(x usage.Row) []string {
	unpriced := n(x.UnpricedRecords)
	if x.UnpricedRecords == 0 {
		unpriced = "-"
	}
	cost := money(x.CostUnits)
	switch x.CostStatus {
	case usage.CostUnpriced:
		cost = "unpriced"
	case usage.CostPartial:
		cost += "*"
	}
	return []string{n(x.Records), n(x.Errors), n(x.InputTokens), n(x.OutputTokens), n(x.CacheReadTokens), n(x.CacheWriteTokens), cost, unpriced}
}

func totalsRow(r *usage.Report) usage.Row {
	t := usage.Row{Key: "TOTAL", Figures: r.Figures}
	if r.Comparison != nil {
		t.Change = &r.Comparison.Change
	}
	return t
}

// compareLegend explains the VS PREV column.
func compareLegend(r *usage.Report) string {
	c := r.Comparison
	return fmt.Sprintf("vs prev: change against %s (%s records); cost change, or tokens (tok) where a cost is partial; ! = more than %.0f%% up or new (unusual spending).",
		periodText(c.Period), n(c.Records), usage.UnusualIncrease)
}

// costLegend explains the cost markers, with what the totals leave out.
func costLegend(r *usage.Report) string {
	if r.UnpricedRecords == 0 {
		return ""
	}
	return fmt.Sprintf("cost: * = partial, a lower bound that leaves out tokens without a price; unpriced = no price at all (never $0). Not in the cost: %s records, %s tokens (see unpriced models below).",
		n(r.UnpricedRecords), n(r.UnpricedTokens))
}

func periodText(p usage.Period) string {
	s, e := p.Start, p.End
	if s == "" {
		s = "(all)"
	}
	if e == "" {
		e = "(all)"
	}
	return s + " .. " + e
}

func writeTable(w io.Writer, r *usage.Report, top int) error {
	fmt.Fprintf(w, "Bedrock usage report\nsource:  %s\nperiod:  %s\nprices:  %s (as of %s)\n\n", r.Source, periodText(r.Period), r.Prices.Source, orDash(r.Prices.AsOf))
	aligned(w, append([]string{""}, headsFor(r)...), [][]string{append([]string{"TOTAL"}, cellsFor(r, totalsRow(r))...)})
	fmt.Fprintf(w, "skipped lines: %d   unreadable objects: %d   out-of-range records: %d\n", r.SkippedLines, r.UnreadableObjects, r.OutOfRangeRecords)
	if l := costLegend(r); l != "" {
		fmt.Fprintln(w, l)
	}
	if c := r.Comparison; c != nil {
		fmt.Fprintln(w, compareLegend(r))
	}
	for _, s := range sections(r) {
		fmt.Fprintf(w, "\n%s\n", s.title)
		rows, more := limit(s.rows, top)
		var cells [][]string
		for _, x := range rows {
			cells = append(cells, append([]string{x.Key}, cellsFor(r, x)...))
		}
		aligned(w, append([]string{s.column}, headsFor(r)...), cells)
		if more > 0 {
			fmt.Fprintf(w, "... %d more (all rows in --format json or csv)\n", more)
		}
	}
	for _, m := range metricsSections(r) {
		fmt.Fprintf(w, "\nCloudWatch metrics per model (%s, %d GetMetricData calls for %d queries)\n", where(m), m.Calls, m.Queries)
		var cells [][]string
		for _, x := range m.Models {
			cells = append(cells, []string{x.ModelID, n(x.Invocations), n(x.ClientErrors), n(x.ServerErrors), n(x.Throttles),
				ms(x.LatencyP50Ms), ms(x.LatencyP90Ms), ms(x.LatencyP99Ms), ms(x.TTFTP50Ms)})
		}
		aligned(w, []string{"MODEL ID", "INVOCATIONS", "CLIENT ERR", "SERVER ERR", "THROTTLES", "LATENCY P50 ms", "P90 ms", "P99 ms", "TTFT P50 ms"}, cells)
	}
	writeFootnotes(w, r, "")
	return nil
}

// aligned writes a text table: the first column left-aligned, numbers right-aligned.
func aligned(w io.Writer, head []string, rows [][]string) {
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
}

func writeFootnotes(w io.Writer, r *usage.Report, bullet string) {
	if len(r.UnpricedModels) > 0 {
		fmt.Fprintf(w, "\n%sUnpriced models (tokens without a price are left out of the cost, never counted as $0; * marks a partial cost):\n", bullet)
		for _, u := range r.UnpricedModels {
			what := "no price"
			if !u.NoPrice {
				what = "no " + strings.Join(u.Missing, ", ") + " price"
			}
			fmt.Fprintf(w, "%s  %s: %s; %s records, %s tokens left out\n", bullet, u.Key, what, n(u.Records), n(u.Tokens))
		}
	}
	if len(r.UnreadableObjectNames) > 0 {
		fmt.Fprintf(w, "\n%sUnreadable objects:\n", bullet)
		for _, u := range r.UnreadableObjectNames {
			fmt.Fprintf(w, "%s  %s\n", bullet, u)
		}
	}
	for _, note := range r.Notes {
		fmt.Fprintf(w, "\n%snote: %s", bullet, note)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
	}
}

func ms(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 0, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func limit(rows []usage.Row, top int) ([]usage.Row, int) {
	if top <= 0 || len(rows) <= top {
		return rows, 0
	}
	return rows[:top], len(rows) - top
}

// writeCSV writes one row for the totals and one per key of every breakdown,
// with exact costs; then the day x model cells (dimension day_model, key
// "<day> <model>") and a prices row naming the price source and date.
// cost_status is complete, partial or unpriced.
func writeCSV(w io.Writer, r *usage.Report) error {
	cw := csv.NewWriter(w)
	head := []string{"dimension", "key", "records", "errors", "input_tokens", "output_tokens", "cache_read_input_tokens",
		"cache_write_input_tokens", "estimated_cost_usd", "unpriced_records", "unpriced_tokens", "cost_status"}
	compared := r.Comparison != nil
	if compared {
		// --compare: the change against the previous period (empty for day rows)
		head = append(head, "previous_estimated_cost_usd", "previous_tokens", "change_basis", "change_pct", "unusual_increase")
	}
	cw.Write(head)
	rec := func(dim string, x usage.Row) {
		row := []string{dim, x.Key, itoa(x.Records), itoa(x.Errors), itoa(x.InputTokens), itoa(x.OutputTokens), itoa(x.CacheReadTokens),
			itoa(x.CacheWriteTokens), usage.FormatUSD(x.CostUnits), itoa(x.UnpricedRecords), itoa(x.UnpricedTokens), x.CostStatus}
		if compared {
			if c := x.Change; c != nil {
				pct := ""
				if c.ChangePct != nil {
					pct = strconv.FormatFloat(*c.ChangePct, 'f', 1, 64)
				}
				row = append(row, string(c.PreviousCostUSD), itoa(c.PreviousTokens), c.Basis, pct, strconv.FormatBool(c.Unusual))
			} else {
				row = append(row, "", "", "", "", "")
			}
		}
		cw.Write(row)
	}
	t := totalsRow(r)
	t.Key = ""
	rec("total", t)
	type list struct {
		name string
		rows []usage.Row
	}
	lists := []list{{"model", r.ByModel}, {"model_id", r.ByModelID}, {"account", r.ByAccount}, {"caller", r.ByCaller}, {"day", r.ByDay},
		{"operation", r.ByOperation}, {"region", r.ByRegion}, {"inference_region", r.ByInferenceRegion}}
	if r.TagKey != "" {
		lists = append(lists, list{"tag:" + r.TagKey, r.ByTag})
	}
	for _, l := range lists {
		for _, x := range l.rows {
			rec(l.name, x)
		}
	}
	for _, d := range r.DailyByModel {
		rec("day_model", d.Row)
	}
	cw.Write(append([]string{"prices", csvSafe(r.Prices.Source + " (as of " + orDash(r.Prices.AsOf) + ")")}, make([]string, len(head)-2)...))
	cw.Flush()
	return cw.Error()
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func writeMarkdown(w io.Writer, r *usage.Report, top int) error {
	// r is neutralized: every string in it is literal Markdown text.
	fmt.Fprintf(w, "# Bedrock usage report\n\n- source: %s\n- period: %s\n- prices: %s (as of %s)\n\n", r.Source, periodText(r.Period), r.Prices.Source, orDash(r.Prices.AsOf))
	head := "| " + strings.Join(headsFor(r), " | ") + " |"
	align := strings.Repeat("---:|", len(headsFor(r)))
	fmt.Fprintf(w, "| |%s\n|---|%s\n", strings.TrimPrefix(head, "|"), align)
	fmt.Fprintf(w, "| **total** | %s |\n\n", strings.Join(mdCells(cellsFor(r, totalsRow(r))), " | "))
	fmt.Fprintf(w, "Skipped lines: %d. Unreadable objects: %d. Out-of-range records: %d.\n", r.SkippedLines, r.UnreadableObjects, r.OutOfRangeRecords)
	if l := costLegend(r); l != "" {
		fmt.Fprintf(w, "\n%s\n", mdSafe(l))
	}
	if r.Comparison != nil {
		fmt.Fprintf(w, "\n%s\n", mdSafe(compareLegend(r)))
	}
	for _, s := range sections(r) {
		fmt.Fprintf(w, "\n## %s\n\n| %s %s\n|---|%s\n", s.title, mdSafe(s.column), head, align)
		rows, more := limit(s.rows, top)
		for _, x := range rows {
			fmt.Fprintf(w, "| %s | %s |\n", x.Key, strings.Join(mdCells(cellsFor(r, x)), " | "))
		}
		if more > 0 {
			fmt.Fprintf(w, "\n%d more rows in `--format json` or `csv`.\n", more)
		}
	}
	for _, m := range metricsSections(r) {
		fmt.Fprintf(w, "\n## CloudWatch metrics per model (%s)\n\n| MODEL ID | INVOCATIONS | CLIENT ERR | SERVER ERR | THROTTLES | P50 ms | P90 ms | P99 ms | TTFT P50 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n", where(m))
		for _, x := range m.Models {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", x.ModelID, n(x.Invocations), n(x.ClientErrors), n(x.ServerErrors),
				n(x.Throttles), ms(x.LatencyP50Ms), ms(x.LatencyP90Ms), ms(x.LatencyP99Ms), ms(x.TTFTP50Ms))
		}
	}
	writeFootnotes(w, r, "")
	return nil
}

// metricsSections are the CloudWatch sections of r: one per account and
// region with --accounts, --organization or --regions.
func metricsSections(r *usage.Report) []usage.MetricsSection {
	if r.Metrics != nil {
		return []usage.MetricsSection{*r.Metrics}
	}
	return r.MetricsTargets
}

func where(m usage.MetricsSection) string {
	if m.Account != "" {
		return m.Account + " " + m.Region
	}
	return m.Region
}

// mdCells escapes the markers of counter cells (0.0014*, new !) for Markdown.
func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdSafe(c)
	}
	return out
}
