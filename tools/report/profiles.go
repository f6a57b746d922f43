package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
)

// inferenceProfileAPI is the part of the Bedrock client used by --resolve-profiles.
type inferenceProfileAPI interface {
	GetInferenceProfile(ctx context.Context, in *bedrock.GetInferenceProfileInput, opts ...func(*bedrock.Options)) (*bedrock.GetInferenceProfileOutput, error)
}

func newResolver(ctx context.Context, cfg aws.Config, stderr io.Writer) func(string) (string, bool) {
	return resolverFor(ctx, bedrock.NewFromConfig(cfg), stderr)
}

// resolverFor returns a memoising, concurrency-safe application inference
// profile resolver: the profile's first model ARN (all models of a profile are
// the same model in different regions).
func resolverFor(ctx context.Context, api inferenceProfileAPI, stderr io.Writer) func(string) (string, bool) {
	type result struct {
		model string
		ok    bool
	}
	var mu sync.Mutex
	memo := map[string]*result{}
	return func(arn string) (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if r := memo[arn]; r != nil {
			return r.model, r.ok
		}
		r := &result{}
		memo[arn] = r
		out, err := api.GetInferenceProfile(ctx, &bedrock.GetInferenceProfileInput{InferenceProfileIdentifier: aws.String(arn)})
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "report: cannot resolve %s (left unpriced): %v\n", arn, err)
		case len(out.Models) == 0 || out.Models[0].ModelArn == nil:
			fmt.Fprintf(stderr, "report: inference profile %s lists no model (left unpriced)\n", arn)
		default:
			r.model, r.ok = aws.ToString(out.Models[0].ModelArn), true
		}
		return r.model, r.ok
	}
}
