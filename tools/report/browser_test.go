package main

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The HTML report is checked the way a person sees it: headless Chromium
// opens it, any console message (an invalid SVG attribute, a parse error) is
// a failure, and a probe script run in the page reports what is rendered:
// which series the charts draw with a visible size, and how partial and
// unknown costs look.

// chromium finds a Chromium binary: $CHROMIUM, else chromium, chromium-browser
// or google-chrome on PATH.
func chromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// probe runs in the page after the report has been parsed and laid out, and
// writes what it sees into <pre id="probe">.
const probe = `<script>
(() => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0.5 && r.height > 0.5; };
  const out = {charts: {}, hatch: !!document.getElementById("hatch") && document.getElementById("hatch").tagName.toLowerCase() === "pattern"};
  for (const svg of document.querySelectorAll("svg[data-chart]")) {
    const c = {series: [], legend: [], days: [], marked: [], labels: []};
    for (const r of svg.querySelectorAll("rect[data-series]")) {
      if (visible(r) && !c.series.includes(r.dataset.series)) c.series.push(r.dataset.series);
      if (visible(r) && !c.days.includes(r.dataset.day)) c.days.push(r.dataset.day);
    }
    for (const g of svg.querySelectorAll("g.legend")) c.legend.push(g.dataset.series);
    for (const r of svg.querySelectorAll("rect[data-status], g[data-status] rect")) {
      const st = r.dataset.status || r.closest("g[data-status]").dataset.status;
      if (st === "complete") continue;
      const fill = getComputedStyle(r).fill;
      c.marked.push({status: st, key: r.dataset.day || r.closest("g[data-status]").dataset.key, visible: visible(r), hatched: fill.includes("#hatch")});
    }
    for (const t of svg.querySelectorAll("g[data-status] text.lb")) c.labels.push(t.textContent);
    out.charts[svg.dataset.chart] = c;
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`

type probeResult struct {
	Hatch  bool `json:"hatch"`
	Charts map[string]struct {
		Series, Legend, Days, Labels []string
		Marked                       []struct {
			Status, Key      string
			Visible, Hatched bool
		}
	} `json:"charts"`
}

func TestHTMLReportInHeadlessChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no Chromium found (set CHROMIUM, or install Debian's chromium: apt-get install chromium; .ci/run does): the browser check of the HTML report is skipped")
	}
	dir, prices := hostileTree(t)
	page := runFormat(t, "--logs", dir, "--prices", prices, "--start", "2026-11-20", "--end", "2026-11-23", "--format", "html", "-q")
	tmp := t.TempDir()
	file := filepath.Join(tmp, "report.html")
	if err := os.WriteFile(file, []byte(strings.Replace(page, "</body>", probe+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
		"--user-data-dir="+filepath.Join(tmp, "profile"), "--enable-logging=stderr", "--v=0", "--window-size=1200,2000",
		"--dump-dom", "file://"+file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	// Any console message from the page is a defect: the report has no script
	// of its own, so messages come from the parser or the renderer.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			t.Errorf("console message: %s", line)
		}
	}
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe did not run; DOM:\n%.2000s", dom)
	}
	var got probeResult
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got); err != nil {
		t.Fatalf("probe output: %v: %s", err, m[1])
	}
	if !got.Hatch {
		t.Errorf("the hatch pattern is not a rendered <pattern>")
	}
	const unknownModel = "<img src=x onerror=alert(1)>[x](http://evil.example)|cell"
	tokens := got.Charts["tokens-per-day"]
	if strings.Join(tokens.Legend, ",") != unknownModel+",amazon.nova-micro-v1:0" {
		t.Errorf("tokens-per-day legend = %q, want the two base models, largest first", tokens.Legend)
	}
	if len(tokens.Series) != 2 {
		t.Errorf("tokens-per-day draws series %q with a visible size, want both models", tokens.Series)
	}
	// records on 11-20, 11-21 and 11-22; the period's days are all on the axis
	if strings.Join(sorted(tokens.Days), ",") != "2026-11-20,2026-11-21,2026-11-22" {
		t.Errorf("tokens-per-day visible bars on days %v", tokens.Days)
	}
	costDay := got.Charts["cost-per-day"]
	statusOf := map[string]string{}
	for _, x := range costDay.Marked {
		statusOf[x.Key] = x.Status
		if !x.Visible || !x.Hatched {
			t.Errorf("cost-per-day %s (%s) is not a visible hatched bar: %+v", x.Key, x.Status, x)
		}
	}
	// 11-20: nova micro with unpriced cache reads; 11-21: only the unpriced model
	if statusOf["2026-11-20"] != "partial" || statusOf["2026-11-21"] != "unpriced" {
		t.Errorf("cost-per-day marked days %v, want 11-20 partial and 11-21 unpriced", statusOf)
	}
	acct := got.Charts["cost-by-account"]
	seen := map[string]bool{}
	for _, x := range acct.Marked {
		seen[x.Status] = seen[x.Status] || (x.Visible && x.Hatched)
	}
	if !seen["unpriced"] || !seen["partial"] {
		t.Errorf("cost-by-account marks %+v: want a visible hatched bar for the unpriced and the partial account", acct.Marked)
	}
	labels := strings.Join(acct.Labels, " | ")
	if !strings.Contains(labels, "unpriced: ") || !strings.Contains(labels, "(partial)") || strings.Contains(labels, "$0.00") {
		t.Errorf("cost-by-account labels %q: want unpriced and partial said in words, never $0.00", labels)
	}
}

func sorted(s []string) []string {
	out := append([]string{}, s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
