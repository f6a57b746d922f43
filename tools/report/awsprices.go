package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// pricingRegion is where the Price List API is served from (it also answers
// in eu-central-1 and ap-south-1); prices of every region come back.
const pricingRegion = "us-east-1"

// staleAfter is the age past which a price table draws a warning.
const staleAfter = 90 * 24 * time.Hour

// defaultPriceCache is where --prices aws keeps the last fetched table.
func defaultPriceCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "bedrockgov", "aws-prices.json")
}

// pricingAPI is the part of the Price List client the tool uses.
type pricingAPI interface {
	GetProducts(ctx context.Context, in *pricing.GetProductsInput, opts ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

// fetchPriceList reads every product of the Bedrock offers.
func fetchPriceList(ctx context.Context, api pricingAPI) ([]string, int, error) {
	var docs []string
	calls := 0
	for _, svc := range usage.PriceListServices {
		pg := pricing.NewGetProductsPaginator(api, &pricing.GetProductsInput{ServiceCode: aws.String(svc),
			FormatVersion: aws.String("aws_v1"), MaxResults: aws.Int32(100)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			calls++
			if err != nil {
				return nil, calls, fmt.Errorf("pricing GetProducts %s: %w", svc, err)
			}
			docs = append(docs, page.PriceList...)
		}
	}
	return docs, calls, nil
}

// awsPrices fetches the Price List and caches it; when the API cannot be
// reached it falls back to the cache, then to the embedded table, and says
// so. The notes go into the report.
func (e *env) awsPrices(ctx context.Context, o *options, stderr io.Writer) (*usage.PriceTable, []string, error) {
	cache := e.priceCache
	fetched, err := func() (*usage.PriceListResult, error) {
		cfg, err := e.awsConfig(ctx, &options{region: pricingRegion, profile: o.profile}, "the AWS Price List API (--prices aws)")
		if err != nil {
			return nil, err
		}
		cfg.Region = pricingRegion
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		docs, _, err := fetchPriceList(cctx, pricing.NewFromConfig(cfg))
		if err != nil {
			return nil, err
		}
		now := e.now().UTC()
		return usage.BuildPriceList(docs, "AWS Price List API ("+strings.Join(usage.PriceListServices, ", ")+"), fetched "+now.Format(time.RFC3339), now.Format("2006-01-02"))
	}()
	if err == nil {
		var notes []string
		t := fetched.Table
		if len(t.Models) == 0 {
			err = fmt.Errorf("the Price List answered %d products but none priced a model this tool knows", fetched.Products)
		} else {
			if len(fetched.Unmapped) > 0 {
				n := fmt.Sprintf("%d Price List model names match no model this tool knows and were not used: %s", len(fetched.Unmapped), strings.Join(fetched.Unmapped, ", "))
				notes = append(notes, n)
				if !o.quiet {
					fmt.Fprintf(stderr, "report: %s\n", n)
				}
			}
			if cache != "" {
				t.AllowNewModels = true
				b, _ := json.MarshalIndent(t, "", "  ")
				if werr := writeFileAtomic(cache, append(b, '\n')); werr != nil {
					fmt.Fprintf(stderr, "report: warning: cannot cache the fetched prices in %s: %v\n", cache, werr)
				} else if !o.quiet {
					fmt.Fprintf(stderr, "report: %d models priced from the AWS Price List API (%d products); cached in %s\n", len(t.Models), fetched.Products, cache)
				}
			}
			return t, notes, nil
		}
	}
	// unreachable, refused or empty: the cache, then the embedded table
	if cache != "" {
		if b, rerr := os.ReadFile(cache); rerr == nil {
			if t, perr := usage.ParsePrices(b); perr == nil {
				n := fmt.Sprintf("the AWS Price List API could not be used (%v); prices are the copy fetched %s, cached in %s", err, t.AsOf, cache)
				fmt.Fprintf(stderr, "report: warning: %s\n", n)
				return t, []string{n}, nil
			}
		}
	}
	t := usage.EmbeddedPrices()
	n := fmt.Sprintf("the AWS Price List API could not be used (%v) and no cached copy exists; prices are the embedded table as of %s", err, t.AsOf)
	fmt.Fprintf(stderr, "report: warning: %s\n", n)
	return t, []string{n}, nil
}

func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".prices-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// staleNote warns when a table's as_of date (YYYY-MM or YYYY-MM-DD) is more
// than 90 days before now; "" otherwise.
func staleNote(t *usage.PriceTable, now time.Time) string {
	var d time.Time
	var err error
	if d, err = time.Parse("2006-01-02", t.AsOf); err != nil {
		if d, err = time.Parse("2006-01", t.AsOf); err != nil {
			return ""
		}
		d = d.AddDate(0, 1, -1) // the end of that month
	}
	if age := now.Sub(d); age > staleAfter {
		return fmt.Sprintf("the prices are as of %s, %d days old: check them, or use --prices aws for current ones", t.AsOf, int(age.Hours()/24))
	}
	return ""
}
