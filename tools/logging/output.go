package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

type failure struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Error   string `json:"error"`
}

type summary struct {
	Targets  int            `json:"targets"`
	ByState  map[string]int `json:"byState"`
	Failed   []failure      `json:"failed"`
	ExitCode int            `json:"exitCode"`
}

func summarize(results []result, code int) summary {
	s := summary{Targets: len(results), ByState: map[string]int{}, Failed: []failure{}, ExitCode: code}
	for _, r := range results {
		s.ByState[r.State]++
		if r.State == stateError {
			s.Failed = append(s.Failed, failure{r.Account, r.Region, r.Error})
		}
	}
	return s
}

func writeResults(w io.Writer, cfg cliConfig, results []result, code int) error {
	s := summarize(results, code)
	if cfg.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Command string   `json:"command"`
			DryRun  bool     `json:"dryRun,omitempty"`
			Results []result `json:"results"`
			Summary summary  `json:"summary"`
		}{cfg.command, cfg.opts.dryRun, results, s})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tREGION\tRESULT\tS3\tCLOUDWATCH LOGS\tDATA\tDETAIL")
	for _, r := range results {
		detail := r.Note
		if r.State == stateError {
			detail = "failed: see below"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Account, r.Region, r.State,
			dash(r.S3), dash(r.CloudWatch), dash(r.DataTypes), detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	states := make([]string, 0, len(s.ByState))
	for k := range s.ByState {
		states = append(states, k)
	}
	sort.Strings(states)
	parts := make([]string, 0, len(states))
	for _, k := range states {
		parts = append(parts, fmt.Sprintf("%d %s", s.ByState[k], k))
	}
	fmt.Fprintf(w, "\n%s: %d target(s): %s\n", cfg.command, s.Targets, strings.Join(parts, ", "))
	if len(s.Failed) > 0 {
		fmt.Fprintf(w, "failed (%d):\n", len(s.Failed))
		for _, f := range s.Failed {
			fmt.Fprintf(w, "  %s %s: %s\n", f.Account, f.Region, f.Error)
		}
	}
	if cfg.command == "status" {
		var off []string
		for _, r := range results {
			if r.State == stateDrifted || r.State == stateNotLogging {
				off = append(off, fmt.Sprintf("  %s %s: %s: %s", r.Account, r.Region, r.State, r.Note))
			}
		}
		if len(off) > 0 {
			fmt.Fprintf(w, "not logging as expected (%d):\n%s\n", len(off), strings.Join(off, "\n"))
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
