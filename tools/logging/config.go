package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
)

// dataTypes are the kinds of request and response data Bedrock logs.
type dataTypes struct {
	Text      bool `json:"text"`
	Image     bool `json:"image"`
	Embedding bool `json:"embedding"`
	Video     bool `json:"video"`
	Audio     bool `json:"audio"`
}

func (d dataTypes) String() string {
	var on []string
	for _, f := range []struct {
		name string
		on   bool
	}{{"text", d.Text}, {"image", d.Image}, {"embedding", d.Embedding}, {"video", d.Video}, {"audio", d.Audio}} {
		if f.on {
			on = append(on, f.name)
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ",")
}

// destinations says where invocation logs go. Empty strings mean unset.
type destinations struct {
	Bucket          string `json:"bucket,omitempty"`
	KeyPrefix       string `json:"keyPrefix,omitempty"`
	LogGroup        string `json:"logGroup,omitempty"`
	RoleARN         string `json:"roleArn,omitempty"`
	LargeDataBucket string `json:"largeDataBucket,omitempty"`
}

func (d destinations) empty() bool { return d.Bucket == "" && d.LogGroup == "" }

// destinationFlags are the destination flags a user set explicitly; a set
// flag overrides the SSM parameter of the same meaning.
type destinationFlags struct {
	values destinations
	set    map[string]bool // keys: bucket, key-prefix, log-group, role-arn, large-data-bucket
	// s3Only and cwOnly drop the other destination after merging (--s3-only,
	// --cloudwatch-only): the one way to turn a delivery off.
	s3Only, cwOnly bool
}

// Placeholders a destination flag may hold, filled in per target; needed
// when one flag serves several accounts or regions.
const (
	accountPlaceholder = "{account}"
	regionPlaceholder  = "{region}"
)

// forTarget fills the placeholders of the flag values for one target.
func (f destinationFlags) forTarget(t target) destinationFlags {
	r := strings.NewReplacer(accountPlaceholder, t.Account, regionPlaceholder, t.Region)
	v := &f.values
	v.Bucket, v.KeyPrefix, v.LogGroup = r.Replace(v.Bucket), r.Replace(v.KeyPrefix), r.Replace(v.LogGroup)
	v.RoleARN, v.LargeDataBucket = r.Replace(v.RoleARN), r.Replace(v.LargeDataBucket)
	return f
}

// resolveDestinations merges the member baseline's SSM parameters (unless
// skipSSM) with the flags, flags winning. source describes where the values
// came from, for the output.
func resolveDestinations(ctx context.Context, c ssmAPI, flags destinationFlags, skipSSM bool) (destinations, string, error) {
	var d destinations
	fromSSM := false
	if !skipSSM && !allDestinationFlagsSet(flags) {
		out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: ssmparams.All})
		if err != nil {
			return d, "", fmt.Errorf("reading SSM parameters %s*: %w", ssmparams.Prefix, err)
		}
		for _, p := range out.Parameters {
			v := strings.TrimSpace(aws.ToString(p.Value))
			switch aws.ToString(p.Name) {
			case ssmparams.BucketName:
				d.Bucket = v
			case ssmparams.KeyPrefix:
				d.KeyPrefix = v
			case ssmparams.LogGroupName:
				d.LogGroup = v
			case ssmparams.RoleArn:
				d.RoleARN = v
			case ssmparams.LargeDataBucketName:
				d.LargeDataBucket = v
			default:
				continue
			}
			fromSSM = true
		}
	}
	fromFlags := false
	apply := func(key string, dst *string, v string) {
		if flags.set[key] {
			*dst = v
			fromFlags = true
		}
	}
	apply("bucket", &d.Bucket, flags.values.Bucket)
	apply("key-prefix", &d.KeyPrefix, flags.values.KeyPrefix)
	apply("log-group", &d.LogGroup, flags.values.LogGroup)
	apply("role-arn", &d.RoleARN, flags.values.RoleARN)
	apply("large-data-bucket", &d.LargeDataBucket, flags.values.LargeDataBucket)
	if flags.s3Only {
		d.LogGroup, d.RoleARN, d.LargeDataBucket = "", "", ""
	}
	if flags.cwOnly {
		d.Bucket = ""
		if d.LargeDataBucket == "" {
			d.KeyPrefix = ""
		}
	}
	source := "none"
	switch {
	case fromSSM && fromFlags:
		source = "ssm+flags"
	case fromSSM:
		source = "ssm"
	case fromFlags:
		source = "flags"
	}
	return d, source, nil
}

func allDestinationFlagsSet(f destinationFlags) bool {
	for _, k := range []string{"bucket", "key-prefix", "log-group", "role-arn", "large-data-bucket"} {
		if !f.set[k] {
			return false
		}
	}
	return true
}

// errNoDestinations is returned when neither SSM nor flags name a destination.
var errNoDestinations = errors.New("no destinations: the member baseline's SSM parameters " + ssmparams.Prefix + "* are absent and no --bucket or --log-group was given")

// validate checks the destinations' formats and their coherence. account is
// the target account; the role must live there.
func (d destinations) validate(account string) error {
	if d.empty() {
		return errNoDestinations
	}
	if d.Bucket != "" {
		if err := validateBucketName(d.Bucket); err != nil {
			return err
		}
	}
	if err := validateKeyPrefix(d.KeyPrefix); err != nil {
		return err
	}
	if d.KeyPrefix != "" && d.Bucket == "" {
		return fmt.Errorf("key prefix %q given without a bucket: set --bucket", d.KeyPrefix)
	}
	if d.LogGroup != "" {
		if err := validateLogGroupName(d.LogGroup); err != nil {
			return err
		}
		if d.RoleARN == "" {
			return fmt.Errorf("log group %q needs the role Bedrock assumes to write to it: set --role-arn or %s", d.LogGroup, ssmparams.RoleArn)
		}
	}
	if d.RoleARN != "" {
		if d.LogGroup == "" {
			return fmt.Errorf("role ARN %q given without a log group: set --log-group", d.RoleARN)
		}
		acct, err := parseRoleARN(d.RoleARN)
		if err != nil {
			return err
		}
		if account != "" && acct != account {
			return fmt.Errorf("role %s is in account %s but the target is account %s: Bedrock needs a role in the same account", d.RoleARN, acct, account)
		}
	}
	if d.LargeDataBucket != "" {
		if err := validateBucketName(d.LargeDataBucket); err != nil {
			return err
		}
		if d.LogGroup == "" {
			return fmt.Errorf("large-data bucket %q only applies to CloudWatch Logs delivery: set --log-group", d.LargeDataBucket)
		}
	}
	return nil
}

// buildConfig is the exact configuration enable writes.
func buildConfig(d destinations, t dataTypes) *types.LoggingConfig {
	c := &types.LoggingConfig{
		TextDataDeliveryEnabled:      aws.Bool(t.Text),
		ImageDataDeliveryEnabled:     aws.Bool(t.Image),
		EmbeddingDataDeliveryEnabled: aws.Bool(t.Embedding),
		VideoDataDeliveryEnabled:     aws.Bool(t.Video),
		AudioDataDeliveryEnabled:     aws.Bool(t.Audio),
	}
	if d.Bucket != "" {
		c.S3Config = &types.S3Config{BucketName: aws.String(d.Bucket)}
		if d.KeyPrefix != "" {
			c.S3Config.KeyPrefix = aws.String(d.KeyPrefix)
		}
	}
	if d.LogGroup != "" {
		c.CloudWatchConfig = &types.CloudWatchConfig{LogGroupName: aws.String(d.LogGroup), RoleArn: aws.String(d.RoleARN)}
		if d.LargeDataBucket != "" {
			c.CloudWatchConfig.LargeDataDeliveryS3Config = &types.S3Config{BucketName: aws.String(d.LargeDataBucket)}
			if d.KeyPrefix != "" {
				c.CloudWatchConfig.LargeDataDeliveryS3Config.KeyPrefix = aws.String(d.KeyPrefix)
			}
		}
	}
	return c
}

// flatConfig is a logging configuration as comparable field values, keyed by
// the API's field paths. Absent optional fields are "".
type flatConfig map[string]string

var configFields = []string{
	"s3Config.bucketName",
	"s3Config.keyPrefix",
	"cloudWatchConfig.logGroupName",
	"cloudWatchConfig.roleArn",
	"cloudWatchConfig.largeDataDeliveryS3Config.bucketName",
	"cloudWatchConfig.largeDataDeliveryS3Config.keyPrefix",
	"textDataDeliveryEnabled",
	"imageDataDeliveryEnabled",
	"embeddingDataDeliveryEnabled",
	"videoDataDeliveryEnabled",
	"audioDataDeliveryEnabled",
}

func flatten(c *types.LoggingConfig) flatConfig {
	f := flatConfig{}
	if c == nil {
		return f
	}
	b := func(p *bool) string {
		if aws.ToBool(p) {
			return "true"
		}
		return "false"
	}
	if c.S3Config != nil {
		f["s3Config.bucketName"] = aws.ToString(c.S3Config.BucketName)
		f["s3Config.keyPrefix"] = aws.ToString(c.S3Config.KeyPrefix)
	}
	if cw := c.CloudWatchConfig; cw != nil {
		f["cloudWatchConfig.logGroupName"] = aws.ToString(cw.LogGroupName)
		f["cloudWatchConfig.roleArn"] = aws.ToString(cw.RoleArn)
		if l := cw.LargeDataDeliveryS3Config; l != nil {
			f["cloudWatchConfig.largeDataDeliveryS3Config.bucketName"] = aws.ToString(l.BucketName)
			f["cloudWatchConfig.largeDataDeliveryS3Config.keyPrefix"] = aws.ToString(l.KeyPrefix)
		}
	}
	f["textDataDeliveryEnabled"] = b(c.TextDataDeliveryEnabled)
	f["imageDataDeliveryEnabled"] = b(c.ImageDataDeliveryEnabled)
	f["embeddingDataDeliveryEnabled"] = b(c.EmbeddingDataDeliveryEnabled)
	f["videoDataDeliveryEnabled"] = b(c.VideoDataDeliveryEnabled)
	f["audioDataDeliveryEnabled"] = b(c.AudioDataDeliveryEnabled)
	return f
}

// fieldDiff is one field whose current value differs from the wanted one.
type fieldDiff struct {
	Field string `json:"field"`
	Want  string `json:"want"`
	Got   string `json:"got"`
}

func (d fieldDiff) String() string {
	show := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return s
	}
	return fmt.Sprintf("%s: want %s, got %s", d.Field, show(d.Want), show(d.Got))
}

// compareConfigs lists the fields where got differs from want. When
// destinationsKnown is false only the data-type fields are compared.
func compareConfigs(want, got *types.LoggingConfig, destinationsKnown bool) []fieldDiff {
	w, g := flatten(want), flatten(got)
	var diffs []fieldDiff
	for _, k := range configFields {
		if !destinationsKnown && !strings.HasSuffix(k, "DeliveryEnabled") {
			continue
		}
		if w[k] != g[k] {
			diffs = append(diffs, fieldDiff{Field: k, Want: w[k], Got: g[k]})
		}
	}
	return diffs
}

// isConfigured reports whether a configuration delivers logs anywhere.
func isConfigured(c *types.LoggingConfig) bool {
	if c == nil {
		return false
	}
	return (c.S3Config != nil && aws.ToString(c.S3Config.BucketName) != "") ||
		(c.CloudWatchConfig != nil && aws.ToString(c.CloudWatchConfig.LogGroupName) != "")
}

// describeConfig renders where a configuration sends logs.
func describeConfig(c *types.LoggingConfig) (s3Dest, cwDest, types_ string) {
	if c == nil {
		return "-", "-", "-"
	}
	s3Dest, cwDest = "-", "-"
	if c.S3Config != nil && aws.ToString(c.S3Config.BucketName) != "" {
		s3Dest = "s3://" + aws.ToString(c.S3Config.BucketName)
		if p := aws.ToString(c.S3Config.KeyPrefix); p != "" {
			s3Dest += "/" + p
		}
	}
	if cw := c.CloudWatchConfig; cw != nil && aws.ToString(cw.LogGroupName) != "" {
		cwDest = aws.ToString(cw.LogGroupName)
		if l := cw.LargeDataDeliveryS3Config; l != nil && aws.ToString(l.BucketName) != "" {
			cwDest += " (large data s3://" + aws.ToString(l.BucketName) + ")"
		}
	}
	return s3Dest, cwDest, dataTypes{
		Text:      aws.ToBool(c.TextDataDeliveryEnabled),
		Image:     aws.ToBool(c.ImageDataDeliveryEnabled),
		Embedding: aws.ToBool(c.EmbeddingDataDeliveryEnabled),
		Video:     aws.ToBool(c.VideoDataDeliveryEnabled),
		Audio:     aws.ToBool(c.AudioDataDeliveryEnabled),
	}.String()
}
