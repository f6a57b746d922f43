// Command benchgen writes a synthetic tree of Bedrock model invocation logs in
// the S3 delivery layout, for scripts/bench-report.sh:
//
//	go run ./tools/report/benchgen -out DIR -records 100000
//
// Records look like real Converse/InvokeModel logs: request and response
// bodies of a few hundred bytes to a few kilobytes, streaming responses as
// arrays, cache tokens, error records, several accounts, regions, callers and
// models in every modelId form. The output is deterministic for a given seed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

var models = []string{
	"anthropic.claude-3-5-sonnet-20240620-v1:0",
	"us.anthropic.claude-3-7-sonnet-20250219-v1:0",
	"global.anthropic.claude-sonnet-4-20250514-v1:0",
	"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
	"arn:aws:bedrock:us-east-1:111111111111:inference-profile/us.amazon.nova-pro-v1:0",
	"amazon.nova-micro-v1:0",
	"eu.amazon.nova-lite-v1:0",
	"meta.llama3-1-70b-instruct-v1:0",
	"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/k3x9p2m7q1z0",
}

var words = strings.Fields(`the quick brown fox jumps over the lazy dog summarise this quarterly report
for the platform team please include cost per account and the latency of each model invocation
as a table with totals and a short explanation of any anomaly in the usage pattern`)

func text(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

func main() {
	out := flag.String("out", "bench-tree", "output directory")
	records := flag.Int("records", 100000, "number of records")
	perFile := flag.Int("per-file", 500, "records per object")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 42))
	accounts := []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	regions := []string{"us-east-1", "us-west-2", "eu-west-1"}
	roles := []string{"AppRole", "BatchRole", "ChatBot", "DataScience", "Analytics"}
	teams := []string{"alpha", "beta", "gamma", "delta"}
	ops := []string{"Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream"}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

	var f *os.File
	var zw *gzip.Writer
	var bw *bufio.Writer
	var total int64
	closeFile := func() {
		if f == nil {
			return
		}
		must(bw.Flush())
		must(zw.Close())
		must(f.Close())
		f = nil
	}
	for i := 0; i < *records; i++ {
		if i%*perFile == 0 {
			closeFile()
			acct := accounts[(i / *perFile)%len(accounts)]
			region := regions[(i / *perFile / len(accounts))%len(regions)]
			ts := base.Add(time.Duration(i) * (14 * 24 * time.Hour / time.Duration(*records)))
			dir := filepath.Join(*out, "AWSLogs", acct, "BedrockModelInvocationLogs", region, ts.Format("2006/01/02/15"))
			must(os.MkdirAll(dir, 0o755))
			var err error
			f, err = os.Create(filepath.Join(dir, fmt.Sprintf("%s_%s_%06d.json.gz", acct, ts.Format("20060102T1504"), i / *perFile)))
			must(err)
			zw = gzip.NewWriter(f)
			bw = bufio.NewWriterSize(zw, 64<<10)
		}
		ts := base.Add(time.Duration(i) * (14 * 24 * time.Hour / time.Duration(*records)))
		op := ops[r.IntN(len(ops))]
		acct := accounts[(i / *perFile)%len(accounts)]
		rec := map[string]any{
			"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
			"timestamp": ts.Format(time.RFC3339Nano), "accountId": acct, "region": "us-east-1",
			"requestId": fmt.Sprintf("%08x-0000-4000-8000-%012x", i, r.Uint64()&0xffffffffffff),
			"operation": op, "modelId": models[r.IntN(len(models))],
			"identity": map[string]any{"arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/session-%d", acct, roles[r.IntN(len(roles))], r.IntN(1000))},
		}
		if r.IntN(4) > 0 {
			rec["requestMetadata"] = map[string]string{"team": teams[r.IntN(len(teams))], "project": fmt.Sprintf("p%d", r.IntN(20))}
		}
		in := map[string]any{"inputContentType": "application/json",
			"inputBodyJson": map[string]any{
				"messages":        []any{map[string]any{"role": "user", "content": []any{map[string]any{"text": text(r, 40+r.IntN(300))}}}},
				"system":          []any{map[string]any{"text": text(r, 20)}},
				"inferenceConfig": map[string]any{"maxTokens": 1024, "temperature": 0.7, "topP": 0.9},
			},
			"inputTokenCount": 50 + r.IntN(4000)}
		if r.IntN(5) == 0 {
			in["cacheReadInputTokenCount"] = r.IntN(20000)
			in["cacheWriteInputTokenCount"] = r.IntN(5000)
		}
		outTok := 10 + r.IntN(1500)
		var body any
		if strings.Contains(op, "Stream") {
			var events []any
			events = append(events, map[string]any{"messageStart": map[string]any{"role": "assistant"}})
			for k := 0; k < 3+r.IntN(10); k++ {
				events = append(events, map[string]any{"contentBlockDelta": map[string]any{"contentBlockIndex": 0, "delta": map[string]any{"text": text(r, 5+r.IntN(20))}}})
			}
			events = append(events, map[string]any{"messageStop": map[string]any{"stopReason": "end_turn"}},
				map[string]any{"metadata": map[string]any{"usage": map[string]any{"inputTokens": 1, "outputTokens": outTok}, "metrics": map[string]any{"latencyMs": r.IntN(9000)}}})
			body = events
		} else {
			body = map[string]any{"output": map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"text": text(r, 20+r.IntN(200))}}}},
				"stopReason": "end_turn", "usage": map[string]any{"inputTokens": 1, "outputTokens": outTok}, "metrics": map[string]any{"latencyMs": r.IntN(9000)}}
		}
		output := map[string]any{"outputContentType": "application/json", "outputBodyJson": body, "outputTokenCount": outTok}
		if r.IntN(50) == 0 {
			rec["errorCode"] = "ThrottlingException"
			delete(output, "outputBodyJson")
			output["outputTokenCount"] = 0
		}
		rec["input"], rec["output"] = in, output
		b, err := json.Marshal(rec)
		must(err)
		total += int64(len(b)) + 1
		bw.Write(b)
		bw.WriteByte('\n')
	}
	closeFile()
	fmt.Fprintf(os.Stderr, "benchgen: %d records, %.1f MB of JSON lines in %s\n", *records, float64(total)/1e6, *out)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
