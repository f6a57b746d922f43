package main

import (
	"fmt"
	"html"
	"strings"
	"unicode"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// Caller-controlled text (requestMetadata values, identity ARNs, model ids,
// object names) reaches every output. Each format gets it neutralized for the
// way it is read: a terminal, a Markdown renderer, a spreadsheet. JSON and
// HTML escape it themselves (encoding/json, html/template).

// isHiddenControl reports a rune a terminal or a text renderer would act on
// rather than show: C0 and C1 controls, DEL, and the bidirectional and
// zero-width format characters that can reorder or hide what is displayed.
func isHiddenControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// termSafe makes s inert on a terminal: every control or format character
// is shown as a visible escape (\x1b, \u202e) instead of acting.
func termSafe(s string) string {
	if strings.IndexFunc(s, isHiddenControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isHiddenControl(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// mdReplacer escapes what Markdown (CommonMark and GitHub tables) would
// interpret: HTML tags and entities, table cell separators, code spans,
// emphasis, links and images.
var mdReplacer = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`, "!", `\!`,
	"\n", " ", "\r", " ",
)

// mdSafe renders s as literal text in a Markdown table cell or line.
func mdSafe(s string) string { return mdReplacer.Replace(termSafe(s)) }

// csvSafe defuses spreadsheet formula injection: a cell that starts with =,
// +, -, @, a tab or a carriage return is prefixed with a single quote, which
// spreadsheets show as text (OWASP CSV injection guidance).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// htmlText is html.EscapeString for text built outside html/template (SVG).
func htmlText(s string) string { return html.EscapeString(s) }

// neutralized returns a copy of r with every caller-controlled string passed
// through f. Numbers are untouched, so totals still sum.
func neutralized(r *usage.Report, f func(string) string) *usage.Report {
	c := *r
	c.Source = f(r.Source)
	c.Prices.Source = f(r.Prices.Source)
	c.Prices.AsOf = f(r.Prices.AsOf)
	c.TagKey = f(r.TagKey)
	mapRows := func(in []usage.Row) []usage.Row {
		if in == nil {
			return nil
		}
		out := make([]usage.Row, len(in))
		for i, x := range in {
			x.Key = f(x.Key)
			out[i] = x
		}
		return out
	}
	c.ByModel, c.ByModelID, c.ByAccount, c.ByCaller = mapRows(r.ByModel), mapRows(r.ByModelID), mapRows(r.ByAccount), mapRows(r.ByCaller)
	c.ByDay, c.ByOperation, c.ByTag = mapRows(r.ByDay), mapRows(r.ByOperation), mapRows(r.ByTag)
	c.ByRegion, c.ByInferenceRegion = mapRows(r.ByRegion), mapRows(r.ByInferenceRegion)
	c.DailyByModel = make([]usage.DayModelRow, len(r.DailyByModel))
	for i, d := range r.DailyByModel {
		d.Model = f(d.Model)
		d.Key = f(d.Key)
		c.DailyByModel[i] = d
	}
	c.UnpricedModels = make([]usage.UnpricedModel, len(r.UnpricedModels))
	for i, u := range r.UnpricedModels {
		u.Key = f(u.Key)
		c.UnpricedModels[i] = u
	}
	c.UnreadableObjectNames = make([]string, len(r.UnreadableObjectNames))
	for i, s := range r.UnreadableObjectNames {
		c.UnreadableObjectNames[i] = f(s)
	}
	c.Notes = make([]string, len(r.Notes))
	for i, s := range r.Notes {
		c.Notes[i] = f(s)
	}
	c.MetricsTargets = make([]usage.MetricsSection, len(r.MetricsTargets))
	for i, m := range r.MetricsTargets {
		models := make([]usage.MetricsModel, len(m.Models))
		for j, x := range m.Models {
			x.ModelID = f(x.ModelID)
			models[j] = x
		}
		m.Models = models
		c.MetricsTargets[i] = m
	}
	if r.Metrics != nil {
		m := *r.Metrics
		m.Models = make([]usage.MetricsModel, len(r.Metrics.Models))
		for i, x := range r.Metrics.Models {
			x.ModelID = f(x.ModelID)
			m.Models[i] = x
		}
		c.Metrics = &m
	}
	return &c
}
