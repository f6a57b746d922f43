package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// priceListStub is the AWS Price List API (JSON 1.1) serving aws_v1
// documents shaped like the Bedrock offers: AmazonBedrock products carry a
// "model" attribute and prices per 1K tokens; AmazonBedrockFoundationModels
// products a "servicename" ("... (Amazon Bedrock Edition)") and marketplace
// usage types priced per 1M tokens. Each service answers in two pages.
type priceListStub struct {
	mu       sync.Mutex
	calls    map[string]int
	products map[string][]string
}

func plDoc(service, sku string, attrs map[string]string, unit, desc, usd string) string {
	attrs["servicecode"] = service
	b, _ := json.Marshal(map[string]any{
		"product":     map[string]any{"productFamily": "Amazon Bedrock", "attributes": attrs, "sku": sku},
		"serviceCode": service,
		"terms": map[string]any{"OnDemand": map[string]any{sku + ".JRTCKXETXF": map[string]any{
			"offerTermCode": "JRTCKXETXF", "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z",
			"priceDimensions": map[string]any{sku + ".JRTCKXETXF.6YS6EN2CT7": map[string]any{
				"unit": unit, "description": desc, "pricePerUnit": map[string]string{"USD": usd}, "beginRange": "0", "endRange": "Inf"}},
		}}},
		"version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
	})
	return string(b)
}

func newPriceListStub() *priceListStub {
	s := &priceListStub{calls: map[string]int{}, products: map[string][]string{}}
	n := 0
	bed := func(region, model, usageType, inferenceType, usd string) {
		n++
		s.products["AmazonBedrock"] = append(s.products["AmazonBedrock"], plDoc("AmazonBedrock", fmt.Sprintf("SKU%d", n),
			map[string]string{"regionCode": region, "model": model, "usagetype": usageType, "inferenceType": inferenceType, "operation": "Usage"},
			"1K tokens", "USD per 1K "+inferenceType, usd))
	}
	fm := func(region, name, usageType, usd string) {
		n++
		s.products["AmazonBedrockFoundationModels"] = append(s.products["AmazonBedrockFoundationModels"], plDoc("AmazonBedrockFoundationModels",
			fmt.Sprintf("SKU%d", n), map[string]string{"regionCode": region, "servicename": name, "usagetype": usageType},
			"Units", "USD per million tokens", usd))
	}
	bed("us-east-1", "Nova Micro", "USE1-NovaMicro-input-tokens", "Input tokens", "0.000035")
	bed("us-east-1", "Nova Micro", "USE1-NovaMicro-output-tokens", "Output tokens", "0.00014")
	bed("us-east-1", "Nova Micro", "USE1-NovaMicro-batch-input-tokens", "Batch input tokens", "0.0000175")
	bed("eu-west-1", "Nova Micro", "EU-NovaMicro-input-tokens", "Input tokens", "0.000046")
	bed("eu-west-1", "Nova Micro", "EU-NovaMicro-output-tokens", "Output tokens", "0.000184")
	bed("us-east-1", "Nova Micro", "USE1-NovaMicro-ProvisionedThroughput", "Provisioned throughput", "20.5")
	bed("us-east-1", "Llama 3.3 70B Instruct", "USE1-Llama3.3-70B-input-tokens", "Input tokens", "0.00072")
	bed("us-east-1", "Llama 3.3 70B Instruct", "USE1-Llama3.3-70B-output-tokens", "Output tokens", "0.00072")
	bed("us-east-1", "gpt-oss-120b", "USE1-gpt-oss-120b-input-tokens", "Input tokens", "0.00015")
	bed("us-east-1", "gpt-oss-120b", "USE1-gpt-oss-120b-output-tokens", "Output tokens", "0.0006")
	// Titan products name the model in titanModel
	n++
	s.products["AmazonBedrock"] = append(s.products["AmazonBedrock"], plDoc("AmazonBedrock", fmt.Sprintf("SKU%d", n),
		map[string]string{"regionCode": "us-east-1", "titanModel": "Titan Text Embeddings V2", "usagetype": "USE1-TitanEmbeddingsV2-Text-input-tokens", "inferenceType": "Input tokens"},
		"1K tokens", "USD per 1K input tokens", "0.00002"))
	// newer products: the model id as the name, usage types ending in -input / -output
	bed("us-east-1", "openai.gpt-oss-20b-1:0", "USE1-openai.gpt-oss-20b-input", "", "0.00007")
	bed("us-east-1", "Stable Image Ultra", "USE1-StableImageUltra-images", "Images", "0.14")
	const claude = "Claude Sonnet 4.5 (Amazon Bedrock Edition)"
	fm("us-east-1", claude, "USE1-MP:USE1_InputTokenCount-Units", "3.30")
	fm("us-east-1", claude, "USE1-MP:USE1_OutputTokenCount-Units", "16.50")
	fm("us-east-1", claude, "USE1-MP:USE1_CacheReadInputTokenCount-Units", "0.33")
	fm("us-east-1", claude, "USE1-MP:USE1_CacheWriteInputTokenCount-Units", "4.125")
	fm("us-east-1", claude, "USE1-MP:USE1_InputTokenCount_Global-Units", "3.00")
	fm("us-east-1", claude, "USE1-MP:USE1_OutputTokenCount_Global-Units", "15.00")
	fm("us-east-1", claude, "USE1-MP:USE1_CacheReadInputTokenCount_Global-Units", "0.30")
	fm("us-east-1", claude, "USE1-MP:USE1_CacheWriteInputTokenCount_Global-Units", "3.75")
	fm("us-east-1", "Brand New Model (Amazon Bedrock Edition)", "USE1-MP:USE1_InputTokenCount-Units", "1.00")
	return s
}

func (s *priceListStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("X-Amz-Target") != "AWSPriceListService.GetProducts" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		http.Error(w, "unexpected request "+r.Header.Get("X-Amz-Target"), 400)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct{ ServiceCode, NextToken, FormatVersion string }
	json.Unmarshal(body, &in)
	s.calls[in.ServiceCode]++
	all := s.products[in.ServiceCode]
	if all == nil {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(400)
		w.Write([]byte(`{"__type":"NotFoundException","message":"no such service"}`))
		return
	}
	half := len(all) / 2
	out := map[string]any{"FormatVersion": "aws_v1"}
	if in.NextToken == "" {
		out["PriceList"], out["NextToken"] = all[:half], "p2"
	} else {
		out["PriceList"] = all[half:]
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// current models: global. and geographic Claude Sonnet 4.5, Llama 3.3,
// gpt-oss, embeddings, Nova Micro in another region, an application profile
const (
	cur1 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"Converse","modelId":"global.anthropic.claude-sonnet-4-5-20250929-v1:0","identity":{"arn":"arn:aws:iam::111111111111:role/A"},"input":{"inputTokenCount":1000,"cacheReadInputTokenCount":1000,"cacheWriteInputTokenCount":1000},"output":{"outputTokenCount":1000}}`
	cur2 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","inferenceRegion":"us-west-2","operation":"Converse","modelId":"us.anthropic.claude-sonnet-4-5-20250929-v1:0","identity":{"arn":"arn:aws:iam::111111111111:role/A"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":1000}}`
	cur3 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"Converse","modelId":"us.meta.llama3-3-70b-instruct-v1:0","identity":{"arn":"arn:aws:iam::111111111111:role/B"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":1000}}`
	cur4 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"InvokeModel","modelId":"openai.gpt-oss-120b-1:0","identity":{"arn":"arn:aws:iam::111111111111:role/B"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":1000}}`
	cur5 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"InvokeModel","modelId":"amazon.titan-embed-text-v2:0","identity":{"arn":"arn:aws:iam::111111111111:role/B"},"input":{"inputTokenCount":1000},"output":{}}`
	cur6 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"InvokeModel","modelId":"cohere.embed-english-v3","identity":{"arn":"arn:aws:iam::111111111111:role/B"},"input":{"inputTokenCount":1000},"output":{}}`
	cur7 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"Converse","modelId":"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/p1","identity":{"arn":"arn:aws:iam::111111111111:role/B"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":1000}}`
	cur8 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"222222222222","region":"eu-west-1","operation":"Converse","modelId":"eu.amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:iam::222222222222:role/C"},"input":{"inputTokenCount":1000},"output":{"outputTokenCount":1000}}`
)

func currentTree(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/11/20/10/a.json.gz": gz(t, cur1, cur2, cur3, cur4, cur5, cur6, cur7),
		"AWSLogs/222222222222/BedrockModelInvocationLogs/eu-west-1/2026/11/20/10/b.json.gz": gz(t, cur8),
	})
	return dir
}

func TestPricesAWSPricesEveryCoveredRecord(t *testing.T) {
	stub := newPriceListStub()
	srv := httptest.NewServer(stub)
	defer srv.Close()
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.priceCache = filepath.Join(t.TempDir(), "cache", "aws-prices.json")
	e.now = func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	m, stderr := runJSON(t, e, "--logs", currentTree(t), "--prices", "aws")
	if stub.calls["AmazonBedrock"] != 2 || stub.calls["AmazonBedrockFoundationModels"] != 2 {
		t.Errorf("GetProducts calls %v, want 2 pages of each offer", stub.calls)
	}
	want := map[string]struct{ cost, status string }{
		// global: 1000 x (0.003 + 0.015 + 0.0003 + 0.00375)/1000; geographic: 0.0033 + 0.0165
		"anthropic.claude-sonnet-4-5-20250929-v1:0": {"0.04185", "complete"},
		"meta.llama3-3-70b-instruct-v1:0":           {"0.00144", "complete"},
		"openai.gpt-oss-120b-1:0":                   {"0.00075", "complete"},
		"amazon.titan-embed-text-v2:0":              {"0.00002", "complete"},
		// eu-west-1 prices, not us-east-1's
		"amazon.nova-micro-v1:0":  {"0.00023", "complete"},
		"cohere.embed-english-v3": {"0", "unpriced"},
		"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/p1": {"0", "unpriced"},
	}
	models := byKey(t, m, "by_model")
	for k, w := range want {
		r := models[k]
		if r == nil || r["estimated_cost_usd"].(json.Number).String() != w.cost || r["cost_status"] != w.status {
			t.Errorf("%s: %v, want cost %s %s", k, r, w.cost, w.status)
		}
	}
	if m["cost_status"] != "partial" || num(t, m["unpriced_records"]) != 2 || num(t, m["unpriced_tokens"]) != 3000 {
		t.Errorf("totals: %v, %v unpriced records, %v tokens; want partial, 2, 3000", m["cost_status"], m["unpriced_records"], m["unpriced_tokens"])
	}
	p := m["prices"].(map[string]any)
	if !strings.Contains(p["source"].(string), "AWS Price List API") || p["as_of"] != "2026-11-23" {
		t.Errorf("prices = %v", p)
	}
	if !strings.Contains(stderr, "Brand New Model") {
		t.Errorf("stderr does not name the Price List model the tool cannot map: %s", stderr)
	}
	if m["estimated_cost_usd"].(json.Number).String() != "0.04429" {
		t.Errorf("total cost %v, want 0.04429", m["estimated_cost_usd"])
	}
	checkSums(t, m)

	// the cache holds the table with its fetch date, and is a valid price file
	b, err := os.ReadFile(e.priceCache)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := usage.ParsePrices(b)
	if err != nil || cached.AsOf != "2026-11-23" || cached.Models["amazon.nova-micro-v1:0"].Batch == nil {
		t.Fatalf("cache: %v %+v", err, cached)
	}

	// offline: the cached copy is used, and the report says so
	srv.Close()
	e.loadAWS = stubAWS(srv.URL)
	m, stderr = runJSON(t, e, "--logs", currentTree(t), "--prices", "aws", "-q")
	if m["estimated_cost_usd"].(json.Number).String() != "0.04429" || !strings.Contains(stderr, "cached in") {
		t.Errorf("offline with a cache: cost %v, stderr %q", m["estimated_cost_usd"], stderr)
	}
	notes := fmt.Sprint(m["notes"])
	if !strings.Contains(notes, "fetched 2026-11-23") {
		t.Errorf("notes do not say the prices come from the cache: %s", notes)
	}
	// offline without a cache: the embedded table, said on stderr and in notes
	e.priceCache = filepath.Join(t.TempDir(), "none.json")
	m, stderr = runJSON(t, e, "--logs", currentTree(t), "--prices", "aws", "-q")
	if !strings.Contains(stderr, "embedded table") || !strings.Contains(fmt.Sprint(m["notes"]), "embedded table") {
		t.Errorf("offline without a cache: stderr %q notes %v", stderr, m["notes"])
	}
}

func TestBuildPriceListConvertsUnits(t *testing.T) {
	stub := newPriceListStub()
	docs := append(stub.products["AmazonBedrock"], stub.products["AmazonBedrockFoundationModels"]...)
	res, err := usage.BuildPriceList(docs, "test", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	c := res.Table.Models["anthropic.claude-sonnet-4-5-20250929-v1:0"]
	if c.InputPer1K == nil || *c.InputPer1K != 0.0033 || c.Global == nil || *c.Global.OutputPer1K != 0.015 || *c.CacheWritePer1K != 0.004125 {
		t.Errorf("claude sonnet 4.5 = %+v (global %+v): per-1M prices must become per-1K", c.Rates, c.Global)
	}
	n := res.Table.Models["amazon.nova-micro-v1:0"]
	if *n.InputPer1K != 0.000035 || *n.Regions["eu-west-1"].InputPer1K != 0.000046 || *n.Batch.InputPer1K != 0.0000175 {
		t.Errorf("nova micro = %+v", n)
	}
	if g := res.Table.Models["openai.gpt-oss-20b-1:0"]; g.InputPer1K == nil || *g.InputPer1K != 0.00007 {
		t.Errorf("gpt-oss-20b (model id as name, -input usage type) = %+v", g)
	}
	if len(res.Unmapped) != 1 || res.Unmapped[0] != "Brand New Model (Amazon Bedrock Edition)" {
		t.Errorf("unmapped = %v", res.Unmapped)
	}
}

// --print-prices --prices aws prints the fetched table, a valid price file.
func TestPrintPricesFromAWS(t *testing.T) {
	srv := httptest.NewServer(newPriceListStub())
	defer srv.Close()
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.priceCache = ""
	var out, errb strings.Builder
	if code := e.run(context.Background(), []string{"--print-prices", "--prices", "aws", "-q"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	p, err := usage.ParsePrices([]byte(out.String()))
	if err != nil || p.Models["openai.gpt-oss-120b-1:0"].InputPer1K == nil || !strings.Contains(p.Source, "Price List") {
		t.Errorf("printed table: %v %.300s", err, out.String())
	}
}
