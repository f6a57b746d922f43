package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func TestLogsS3ListsOnlyDatePrefixesInRange(t *testing.T) {
	var mu sync.Mutex
	var listings []string // "prefix|delimiter"
	faker := gofakes3.New(s3mem.New())
	h := faker.Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Query().Has("list-type") {
			mu.Lock()
			listings = append(listings, r.URL.Query().Get("prefix")+"|"+r.URL.Query().Get("delimiter"))
			mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)

	cfg, _ := stubAWS(srv.URL)(context.Background(), "", "")
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	files := trapFiles(t)
	// out of range: must be neither listed nor read
	files["AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/10/01/00/old.json.gz"] = gz(t, r1)
	files["AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/11/25/00/much-later.json.gz"] = gz(t, r1)
	// the day after the period is read for late deliveries; records are then filtered by timestamp
	files["AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/11/23/00/later.json.gz"] = gz(t, strings.Replace(r1, "2026-11-20T10:00:00Z", "2026-11-23T00:01:00Z", 1))
	for name, b := range files {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String("org/" + name), Body: bytes.NewReader(b)}); err != nil {
			t.Fatal(err)
		}
	}
	prices := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(trapPrices), 0o644)
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	m, stderr := runJSON(t, e, "--logs", "s3://logs/org", "--start", "2026-11-20", "--end", "2026-11-22", "--prices", prices, "--format", "json")

	checkRow(t, "totals", m, row{9, 2, 17610, 4670, 10000, 4000, "0.038615", 2})
	if num(t, m["skipped_lines"]) != 6 || num(t, m["unreadable_objects"]) != 2 {
		t.Errorf("skipped_lines %v unreadable_objects %v, want 6 and 2", m["skipped_lines"], m["unreadable_objects"])
	}
	if !strings.Contains(stderr, "s3://logs/org/AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/11/21/10/junk.json.gz") {
		t.Errorf("stderr does not name the unreadable object:\n%s", stderr)
	}
	checkSums(t, m)
	dates := 0
	for _, l := range listings {
		prefix, delim, _ := strings.Cut(l, "|")
		if delim == "/" {
			if strings.Count(prefix, "/") > 4 {
				t.Errorf("delimiter listing below the region level: %s", prefix)
			}
			continue
		}
		// every full listing is one date prefix in range
		ok := false
		for _, d := range []string{"/2026/11/20/", "/2026/11/21/", "/2026/11/22/", "/2026/11/23/"} {
			ok = ok || strings.HasSuffix(prefix, d)
		}
		if !ok {
			t.Errorf("listed %q, which is not a date prefix in range", prefix)
		}
		dates++
	}
	// 3 accounts x their regions (111: us-east-1, ap-southeast-1; 222: us-east-1,
	// eu-west-1; 333: us-east-1) x 4 days: the period plus one for late deliveries
	if dates != 20 {
		t.Errorf("%d date listings, want 20: %v", dates, listings)
	}
	// later.json.gz (2026-11-23, read for late deliveries) holds a record of the 23rd
	if num(t, m["out_of_range_records"]) != 1 {
		t.Errorf("out_of_range_records = %v, want 1", m["out_of_range_records"])
	}
}

// With a local directory the tool makes no AWS calls at all: no endpoint, no
// instance metadata, not even loading the configuration.
func TestLogsDirMakesNoAWSCalls(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", 500)
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.URL+"/creds")
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	var out, errb bytes.Buffer
	e := defaultEnv()
	loaded := false
	real := e.loadAWS
	e.loadAWS = func(ctx context.Context, region, profile string) (aws.Config, error) {
		loaded = true
		return real(ctx, region, profile)
	}
	if code := e.run(context.Background(), []string{"--logs", dir, "--format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if loaded || hits.Load() != 0 {
		t.Errorf("AWS configuration loaded: %v; requests to AWS endpoints: %d", loaded, hits.Load())
	}
}
