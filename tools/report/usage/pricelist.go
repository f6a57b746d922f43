package usage

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// Price List API offers that hold Bedrock on-demand token prices. AmazonBedrock
// prices Amazon's and older partner models (per 1,000 tokens); newer
// third-party models are sold through AWS Marketplace and priced in
// AmazonBedrockFoundationModels (per 1,000,000 tokens, usage types such as
// USE1-MP:USE1_InputTokenCount-Units and ..._InputTokenCount_Global-Units).
var PriceListServices = []string{"AmazonBedrock", "AmazonBedrockFoundationModels"}

// ReferenceRegion is the region whose prices are a table's top-level rates.
const ReferenceRegion = "us-east-1"

// CatalogModel ties a base model id to the names the Price List gives it
// (attribute "model" in AmazonBedrock, "servicename" in
// AmazonBedrockFoundationModels, without " (Amazon Bedrock Edition)").
type CatalogModel struct {
	ID    string
	Names []string
}

// Catalog is every model the tool can map from the Price List. A product whose
// name matches none is counted and named in PriceListResult.Unmapped, never
// guessed.
var Catalog = []CatalogModel{
	{"anthropic.claude-opus-4-1-20250805-v1:0", []string{"Claude Opus 4.1"}},
	{"anthropic.claude-opus-4-20250514-v1:0", []string{"Claude Opus 4"}},
	{"anthropic.claude-sonnet-4-5-20250929-v1:0", []string{"Claude Sonnet 4.5"}},
	{"anthropic.claude-sonnet-4-20250514-v1:0", []string{"Claude Sonnet 4"}},
	{"anthropic.claude-haiku-4-5-20251001-v1:0", []string{"Claude Haiku 4.5"}},
	{"anthropic.claude-3-7-sonnet-20250219-v1:0", []string{"Claude 3.7 Sonnet"}},
	{"anthropic.claude-3-5-sonnet-20241022-v2:0", []string{"Claude 3.5 Sonnet v2", "Claude 3.5 Sonnet V2"}},
	{"anthropic.claude-3-5-sonnet-20240620-v1:0", []string{"Claude 3.5 Sonnet"}},
	{"anthropic.claude-3-5-haiku-20241022-v1:0", []string{"Claude 3.5 Haiku"}},
	{"anthropic.claude-3-haiku-20240307-v1:0", []string{"Claude 3 Haiku"}},
	{"amazon.nova-premier-v1:0", []string{"Nova Premier"}},
	{"amazon.nova-pro-v1:0", []string{"Nova Pro"}},
	{"amazon.nova-lite-v1:0", []string{"Nova Lite"}},
	{"amazon.nova-micro-v1:0", []string{"Nova Micro"}},
	{"amazon.titan-embed-text-v2:0", []string{"Titan Text Embeddings V2", "Titan Embeddings Text V2"}},
	{"cohere.embed-english-v3", []string{"Embed English", "Cohere Embed English", "Embed 3 English"}},
	{"cohere.embed-multilingual-v3", []string{"Embed Multilingual", "Cohere Embed Multilingual", "Embed 3 Multilingual"}},
	{"meta.llama3-3-70b-instruct-v1:0", []string{"Llama 3.3 70B Instruct", "Llama 3.3 70B"}},
	{"meta.llama3-1-70b-instruct-v1:0", []string{"Llama 3.1 70B Instruct", "Llama 3.1 70B"}},
	{"meta.llama3-1-8b-instruct-v1:0", []string{"Llama 3.1 8B Instruct", "Llama 3.1 8B"}},
	{"openai.gpt-oss-120b-1:0", []string{"gpt-oss-120b"}},
	{"openai.gpt-oss-20b-1:0", []string{"gpt-oss-20b"}},
	{"deepseek.r1-v1:0", []string{"DeepSeek-R1", "DeepSeek R1"}},
}

func normName(s string) string {
	s = strings.ToLower(s)
	for _, suffix := range []string{"(amazon bedrock edition)", "amazon bedrock edition", "(amazon bedrock)"} {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), suffix))
	}
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var catalogByName = func() map[string]string {
	m := map[string]string{}
	for _, c := range Catalog {
		m[normName(c.ID)] = c.ID // some products name the model by its id
		for _, n := range c.Names {
			m[normName(n)] = c.ID
		}
	}
	return m
}()

// priceListProduct is the part of one aws_v1 PriceList document the tool reads.
type priceListProduct struct {
	Product struct {
		Attributes map[string]string `json:"attributes"`
	} `json:"product"`
	ServiceCode string `json:"serviceCode"`
	Terms       struct {
		OnDemand map[string]struct {
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				Description  string            `json:"description"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// tokenUsage classifies a usage type (and the inferenceType attribute):
// kind is a token kind, global reports the global. scope, batch a batch
// price; ok is false for anything that is not an on-demand or batch token
// price (provisioned throughput, priority or flex tiers, latency-optimized,
// custom models, images, video, requests).
func tokenUsage(usageType, inferenceType string) (kind int, global, batch, ok bool) {
	u := strings.ToLower(usageType + " " + inferenceType)
	for _, skip := range []string{"provisioned", "priority", "flex", "latency", "custom", "image", "video", "audio", "speech", "request", "search", "training", "storage", "reserved", "longcontext", "long-context", "lctx"} {
		if strings.Contains(u, skip) {
			return 0, false, false, false
		}
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(u, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("cacheread", "cache-read", "cache_read", "cache read"):
		kind = kindCacheRead
	case has("cachewrite", "cache-write", "cache_write", "cache write"):
		kind = kindCacheWrite
	case has("inputtoken", "input-token", "input_token", "input token"):
		kind = kindInput
	case has("outputtoken", "output-token", "output_token", "output token"):
		kind = kindOutput
	// newer products: <REGION>-<model>-input / -output, without "tokens"
	case strings.HasSuffix(strings.ToLower(usageType), "-input"):
		kind = kindInput
	case strings.HasSuffix(strings.ToLower(usageType), "-output"):
		kind = kindOutput
	default:
		return 0, false, false, false
	}
	return kind, has("global"), has("batch"), true
}

// per1KDivisor returns what divides a price to get USD per 1,000 tokens.
func per1KDivisor(service, unit, description string) int64 {
	s := strings.ToLower(unit + " " + description)
	switch {
	case strings.Contains(s, "1k") || strings.Contains(s, "thousand") || strings.Contains(s, "1,000 "):
		return 1
	case strings.Contains(s, "1m") || strings.Contains(s, "million"):
		return 1000
	case service == "AmazonBedrockFoundationModels":
		return 1000
	}
	return 1
}

// PriceListResult is a table built from Price List documents.
type PriceListResult struct {
	Table *PriceTable
	// Products counts the documents read; Used those that gave a price.
	Products, Used int
	// Unmapped names the model names no catalog entry matches, sorted.
	Unmapped []string
}

type scopeKey struct {
	model, region string
	global, batch bool
}

// BuildPriceList turns aws_v1 PriceList documents into a price table. The
// reference region's geographic (or in-region) prices are the top-level
// rates, every region's are in Regions, the global. scope in Global, batch
// prices in Batch.
func BuildPriceList(docs []string, source, asOf string) (*PriceListResult, error) {
	res := &PriceListResult{}
	rates := map[scopeKey]*Rates{}
	unmapped := map[string]bool{}
	for i, d := range docs {
		var p priceListProduct
		if err := json.Unmarshal([]byte(d), &p); err != nil {
			return nil, fmt.Errorf("price list document %d: %w", i, err)
		}
		res.Products++
		a := p.Product.Attributes
		name := a["servicename"]
		for _, alt := range []string{"model", "titanModel"} { // Titan products name the model in titanModel
			if name == "" || normName(name) == "amazonbedrock" {
				name = a[alt]
			}
		}
		kind, global, batch, ok := tokenUsage(a["usagetype"], a["inferenceType"])
		region := a["regionCode"]
		if !ok || region == "" || name == "" {
			continue
		}
		id, known := catalogByName[normName(name)]
		if !known {
			unmapped[strings.TrimSpace(name)] = true
			continue
		}
		for _, term := range p.Terms.OnDemand {
			for _, dim := range term.PriceDimensions {
				usd, ok := dim.PricePerUnit["USD"]
				if !ok {
					continue
				}
				// exact decimal division, so 3.30 per 1M is 0.0033 per 1K
				q, ok := new(big.Rat).SetString(usd)
				if !ok || q.Sign() < 0 {
					return nil, fmt.Errorf("price list document %d: price %q is not a number", i, usd)
				}
				q.Quo(q, new(big.Rat).SetInt64(per1KDivisor(p.ServiceCode, dim.Unit, dim.Description)))
				v, _ := q.Float64()
				k := scopeKey{id, region, global, batch}
				r := rates[k]
				if r == nil {
					r = &Rates{}
					rates[k] = r
				}
				*r.ptr(kind) = F(v)
				res.Used++
			}
		}
	}
	t := &PriceTable{Source: source, AsOf: asOf, Models: map[string]Price{},
		Note: "USD per 1,000 tokens from the AWS Price List API; top-level rates are " + ReferenceRegion +
			" (model id or geographic profile), regions hold each region's, global the global. profile's, batch the batch prices (not applied: invocation logs do not mark batch jobs)."}
	keys := make([]scopeKey, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.model != b.model {
			return a.model < b.model
		}
		if a.region != b.region {
			return a.region < b.region
		}
		if a.global != b.global {
			return !a.global
		}
		return !a.batch && b.batch
	})
	for _, k := range keys {
		p := t.Models[k.model]
		r := *rates[k]
		switch {
		case k.batch:
			if p.Batch == nil || k.region == ReferenceRegion {
				p.Batch = &r
			}
		case k.global:
			// global. prices do not depend on the source region; the
			// reference region's are kept when regions differ
			if p.Global == nil || k.region == ReferenceRegion {
				p.Global = &r
			}
		default:
			if p.Regions == nil {
				p.Regions = map[string]Rates{}
			}
			p.Regions[k.region] = r
			if k.region == ReferenceRegion {
				p.Rates = r
			}
		}
		t.Models[k.model] = p
	}
	// a model not sold in the reference region takes its first region's
	// rates as the top-level ones
	for id, p := range t.Models {
		if p.Rates == (Rates{}) {
			names := make([]string, 0, len(p.Regions))
			for r := range p.Regions {
				names = append(names, r)
			}
			sort.Strings(names)
			if len(names) > 0 {
				p.Rates = p.Regions[names[0]]
			} else if p.Global != nil {
				p.Rates = *p.Global
			}
			t.Models[id] = p
		}
	}
	for n := range unmapped {
		res.Unmapped = append(res.Unmapped, n)
	}
	sort.Strings(res.Unmapped)
	res.Table = t
	return res, nil
}

func (r *Rates) ptr(kind int) **float64 {
	switch kind {
	case kindInput:
		return &r.InputPer1K
	case kindOutput:
		return &r.OutputPer1K
	case kindCacheRead:
		return &r.CacheReadPer1K
	default:
		return &r.CacheWritePer1K
	}
}
