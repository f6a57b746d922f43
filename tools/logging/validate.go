package main

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/awsregions"
)

var (
	regionShape    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accountIDRe    = regexp.MustCompile(`^\d{12}$`)
	roleARNRe      = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role/((?:[\x21-\x7e]+/)*)([\w+=,.@-]{1,64})$`)
	roleNameRe     = regexp.MustCompile(`^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	ouIDRe         = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$`)
	bucketNameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	logGroupNameRe = regexp.MustCompile(`^[A-Za-z0-9._/#-]{1,512}$`)
)

// validateRegion checks a Region name against the known list. A Region
// launched after the list was written can still be used with
// --allow-unknown-regions.
func validateRegion(r string, allowUnknown bool) error {
	if awsregions.Known(r) {
		return nil
	}
	if allowUnknown && regionShape.MatchString(r) {
		return nil
	}
	if !regionShape.MatchString(r) {
		return fmt.Errorf("region %q is not a region name (expected something like us-east-1)", r)
	}
	return fmt.Errorf("unknown region %q: known regions are %s; if it is newer than this tool, pass --allow-unknown-regions", r, strings.Join(awsregions.Sorted(), ","))
}

func validateAccountID(id string) error {
	if !accountIDRe.MatchString(id) {
		return fmt.Errorf("account ID %q must be exactly 12 digits", id)
	}
	return nil
}

// parseRoleARN validates an IAM role ARN and returns its account ID.
func parseRoleARN(arn string) (account string, err error) {
	m := roleARNRe.FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("role ARN %q is malformed (expected arn:aws:iam::123456789012:role/name)", arn)
	}
	return m[2], nil
}

func validateRoleName(n string) error {
	if !roleNameRe.MatchString(n) || len(n) > 512 {
		return fmt.Errorf("role name %q is not a valid IAM role name (letters, digits and +=,.@_- up to 64 characters)", n)
	}
	return nil
}

func validateOUID(id string) error {
	if !ouIDRe.MatchString(id) {
		return fmt.Errorf("organizational unit %q is malformed (expected ou-xxxx-xxxxxxxx or a root r-xxxx)", id)
	}
	return nil
}

// validateBucketName applies the S3 general purpose bucket naming rules.
func validateBucketName(b string) error {
	bad := func(why string) error {
		return fmt.Errorf("bucket name %q is invalid: %s", b, why)
	}
	switch {
	case len(b) < 3 || len(b) > 63:
		return bad("must be 3 to 63 characters")
	case !bucketNameRe.MatchString(b):
		return bad("use only lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit")
	case strings.Contains(b, ".."):
		return bad("must not contain two adjacent dots")
	case net.ParseIP(b) != nil:
		return bad("must not be formatted as an IP address")
	case strings.HasPrefix(b, "xn--"), strings.HasPrefix(b, "sthree-"), strings.HasPrefix(b, "amzn-s3-demo-"):
		return bad("uses a reserved prefix")
	case strings.HasSuffix(b, "-s3alias"), strings.HasSuffix(b, "--ol-s3"), strings.HasSuffix(b, ".mrap"), strings.HasSuffix(b, "--x-s3"), strings.HasSuffix(b, "--table-s3"):
		return bad("uses a reserved suffix (directory, access point and table buckets cannot receive invocation logs)")
	}
	return nil
}

func validateLogGroupName(n string) error {
	if !logGroupNameRe.MatchString(n) {
		return fmt.Errorf("log group name %q is invalid: 1 to 512 characters of letters, digits and ._/#-", n)
	}
	return nil
}

func validateKeyPrefix(p string) error {
	if len(p) > 1024 {
		return fmt.Errorf("key prefix %q is longer than 1024 characters", p)
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("key prefix %q must not start with /", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("key prefix %q contains a control character", p)
		}
	}
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items and
// duplicates while keeping order.
func splitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}
