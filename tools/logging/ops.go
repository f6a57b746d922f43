package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Result states, as printed in the RESULT column and the JSON "state" field.
const (
	stateOK          = "ok"           // status: logging as expected
	stateDrifted     = "drifted"      // status: logging, but not as expected
	stateNotLogging  = "not-logging"  // status: no configuration
	stateUnchanged   = "unchanged"    // enable/disable: nothing to do, nothing written
	stateEnabled     = "enabled"      // enable: configuration written and read back
	stateWouldChange = "would-change" // enable/disable --dry-run
	stateDisabled    = "disabled"     // disable: configuration deleted
	stateError       = "error"
)

// options are the per-run settings that shape each target's work.
type options struct {
	flags   destinationFlags
	types   dataTypes
	skipSSM bool
	dryRun  bool
}

// result is one row: one account and Region.
type result struct {
	Account      string        `json:"account"`
	Region       string        `json:"region"`
	State        string        `json:"state"`
	Source       string        `json:"destinationSource,omitempty"`
	S3           string        `json:"s3,omitempty"`
	CloudWatch   string        `json:"cloudWatch,omitempty"`
	DataTypes    string        `json:"dataTypes,omitempty"`
	Drift        []fieldDiff   `json:"drift,omitempty"`
	Note         string        `json:"note,omitempty"`
	Error        string        `json:"error,omitempty"`
	Wrote        bool          `json:"wrote"`
	Destinations *destinations `json:"expected,omitempty"`
}

func (r *result) setConfig(c *types.LoggingConfig) {
	r.S3, r.CloudWatch, r.DataTypes = describeConfig(c)
}

func getConfig(ctx context.Context, c bedrockAPI) (*types.LoggingConfig, error) {
	out, err := c.GetModelInvocationLoggingConfiguration(ctx, &bedrock.GetModelInvocationLoggingConfigurationInput{})
	if err != nil {
		return nil, fmt.Errorf("reading the logging configuration: %w", err)
	}
	if !isConfigured(out.LoggingConfig) {
		return nil, nil
	}
	return out.LoggingConfig, nil
}

// doStatus reads the configuration and compares it with what the baseline
// (SSM parameters and flags) expects.
func doStatus(ctx context.Context, t target, c targetClients, o options) result {
	r := result{Account: t.Account, Region: t.Region}
	want, source, err := resolveDestinations(ctx, c.SSM, o.flags.forTarget(t), o.skipSSM)
	if err != nil {
		return r.fail(err)
	}
	r.Source = source
	known := !want.empty()
	if known {
		if err := want.validate(t.Account); err != nil {
			return r.fail(fmt.Errorf("the expected destinations are invalid: %w", err))
		}
		r.Destinations = &want
	}
	cur, err := getConfig(ctx, c.Bedrock)
	if err != nil {
		return r.fail(err)
	}
	r.setConfig(cur)
	if cur == nil {
		r.State = stateNotLogging
		r.Note = "model invocation logging is off; run enable"
		return r
	}
	r.Drift = compareConfigs(buildConfig(want, o.types), cur, known)
	switch {
	case len(r.Drift) > 0:
		r.State = stateDrifted
		r.Note = "drift: " + joinDiffs(r.Drift)
	default:
		r.State = stateOK
		if !known {
			r.Note = "destinations not compared: no SSM parameters and no destination flags"
		}
	}
	return r
}

// doEnable writes the configuration when it differs, then reads it back.
func doEnable(ctx context.Context, t target, c targetClients, o options) result {
	r := result{Account: t.Account, Region: t.Region}
	// Reading the current configuration does not depend on the
	// destinations; start it now. The channel is buffered so the goroutine
	// never leaks when this function returns early.
	type current struct {
		cfg *types.LoggingConfig
		err error
	}
	curCh := make(chan current, 1)
	go func() {
		cfg, err := getConfig(ctx, c.Bedrock)
		curCh <- current{cfg, err}
	}()

	want, source, err := resolveDestinations(ctx, c.SSM, o.flags.forTarget(t), o.skipSSM)
	if err != nil {
		return r.fail(err)
	}
	r.Source = source
	if err := want.validate(t.Account); err != nil {
		return r.fail(err)
	}
	r.Destinations = &want
	cfg := buildConfig(want, o.types)

	// The destination checks are independent of each other; run them together.
	var (
		wg                  sync.WaitGroup
		bucketErr, largeErr error
		groupErr            error
	)
	if want.Bucket != "" {
		wg.Go(func() { bucketErr = checkBucket(ctx, c.S3, want.Bucket, t) })
	}
	if want.LargeDataBucket != "" && want.LargeDataBucket != want.Bucket {
		wg.Go(func() { largeErr = checkBucket(ctx, c.S3, want.LargeDataBucket, t) })
	}
	if want.LogGroup != "" {
		wg.Go(func() { groupErr = checkLogGroup(ctx, c.Logs, want.LogGroup, t) })
	}
	wg.Wait()
	got := <-curCh
	if err := errors.Join(bucketErr, largeErr, groupErr, got.err); err != nil {
		return r.fail(err)
	}
	cur := got.cfg

	diffs := compareConfigs(cfg, cur, true)
	if len(diffs) == 0 {
		r.setConfig(cur)
		r.State = stateUnchanged
		r.Note = "already configured as expected; nothing written"
		return r
	}
	r.Drift = diffs
	if o.dryRun {
		r.setConfig(cfg)
		r.State = stateWouldChange
		r.Note = "dry run, would set: " + joinDiffs(diffs)
		return r
	}
	if _, err := c.Bedrock.PutModelInvocationLoggingConfiguration(ctx, &bedrock.PutModelInvocationLoggingConfigurationInput{LoggingConfig: cfg}); err != nil {
		return r.fail(fmt.Errorf("writing the logging configuration: %w", err))
	}
	r.Wrote = true
	back, err := getConfig(ctx, c.Bedrock)
	if err != nil {
		return r.fail(fmt.Errorf("written, but %w", err))
	}
	if d := compareConfigs(cfg, back, true); len(d) > 0 {
		return r.fail(fmt.Errorf("written, but reading it back differs (another writer, or Bedrock changed it): %s", joinDiffs(d)))
	}
	r.setConfig(back)
	r.State = stateEnabled
	if cur == nil {
		r.Note = "logging turned on"
	} else {
		r.Note = "updated: " + joinDiffs(diffs)
	}
	return r
}

// doDisable deletes the configuration. It never touches buckets, log groups
// or the logs in them.
func doDisable(ctx context.Context, t target, c targetClients, o options) result {
	r := result{Account: t.Account, Region: t.Region}
	cur, err := getConfig(ctx, c.Bedrock)
	if err != nil {
		return r.fail(err)
	}
	if cur == nil {
		r.State = stateUnchanged
		r.Note = "logging already off; nothing deleted"
		return r
	}
	r.setConfig(cur)
	if o.dryRun {
		r.State = stateWouldChange
		r.Note = "dry run, would delete this configuration"
		return r
	}
	if _, err := c.Bedrock.DeleteModelInvocationLoggingConfiguration(ctx, &bedrock.DeleteModelInvocationLoggingConfigurationInput{}); err != nil {
		return r.fail(fmt.Errorf("deleting the logging configuration: %w", err))
	}
	r.Wrote = true
	r.State = stateDisabled
	r.Note = "configuration deleted; buckets, log groups and existing logs are untouched"
	return r
}

func (r result) fail(err error) result {
	r.State = stateError
	r.Error = explain(err, target{Account: r.Account, Region: r.Region})
	return r
}

func joinDiffs(d []fieldDiff) string {
	s := ""
	for i, x := range d {
		if i > 0 {
			s += "; "
		}
		s += x.String()
	}
	return s
}

// checkBucket verifies the bucket exists, belongs to the target account and
// is in the target Region.
func checkBucket(ctx context.Context, c s3API, bucket string, t target) error {
	out, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(t.Account)})
	if err != nil {
		var re *awshttp.ResponseError
		var nf *s3types.NotFound
		switch {
		case errors.As(err, &nf) || (errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound):
			return &checkError{fmt.Sprintf("bucket %s does not exist; create it (the member baseline does) or fix the bucket name", bucket)}
		case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusMovedPermanently:
			return &checkError{fmt.Sprintf("bucket %s is in region %s, not %s; Bedrock needs a bucket in the same region", bucket, orUnknown(re.Response.Header.Get("X-Amz-Bucket-Region")), t.Region)}
		case errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden:
			return &checkError{fmt.Sprintf("bucket %s is not owned by account %s, or s3:ListBucket on it is denied; Bedrock needs a bucket in the same account", bucket, t.Account)}
		}
		return fmt.Errorf("checking bucket %s: %w", bucket, err)
	}
	region := aws.ToString(out.BucketRegion)
	if region == "" {
		loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(t.Account)})
		if err != nil {
			return fmt.Errorf("finding the region of bucket %s: %w", bucket, err)
		}
		region = bucketRegion(loc.LocationConstraint)
	}
	if region != t.Region {
		return &checkError{fmt.Sprintf("bucket %s is in region %s, not %s; Bedrock needs a bucket in the same region", bucket, region, t.Region)}
	}
	return nil
}

// bucketRegion maps a GetBucketLocation answer to a Region name.
func bucketRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return string(c)
}

func orUnknown(s string) string {
	if s == "" {
		return "another region"
	}
	return s
}

// checkLogGroup verifies the log group exists in the target account and Region.
func checkLogGroup(ctx context.Context, c logsAPI, name string, t target) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("checking log group %s: %w", name, err)
		}
		for _, g := range page.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return nil
			}
		}
	}
	return &checkError{fmt.Sprintf("log group %s does not exist in account %s region %s; create it (the member baseline does) or fix the name", name, t.Account, t.Region)}
}

// checkError is a failed precondition whose message already says what to fix.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }
