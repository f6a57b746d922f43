// Package awsregions is the one list of AWS regions the project knows, with each region's
// partition. It has no dependencies, so both the CDK app's configuration and the
// aws-sdk-go-v2 tools use it.
package awsregions

import "sort"

// Partitions.
const (
	AWS      = "aws"
	AWSUSGov = "aws-us-gov"
	AWSChina = "aws-cn"
)

var partitions = map[string]string{
	"us-east-1": AWS, "us-east-2": AWS, "us-west-1": AWS, "us-west-2": AWS,
	"ca-central-1": AWS, "ca-west-1": AWS, "mx-central-1": AWS, "sa-east-1": AWS,
	"eu-central-1": AWS, "eu-central-2": AWS, "eu-west-1": AWS, "eu-west-2": AWS,
	"eu-west-3": AWS, "eu-north-1": AWS, "eu-south-1": AWS, "eu-south-2": AWS,
	"il-central-1": AWS, "me-central-1": AWS, "me-south-1": AWS, "af-south-1": AWS,
	"ap-east-1": AWS, "ap-east-2": AWS, "ap-south-1": AWS, "ap-south-2": AWS,
	"ap-northeast-1": AWS, "ap-northeast-2": AWS, "ap-northeast-3": AWS,
	"ap-southeast-1": AWS, "ap-southeast-2": AWS, "ap-southeast-3": AWS,
	"ap-southeast-4": AWS, "ap-southeast-5": AWS, "ap-southeast-6": AWS, "ap-southeast-7": AWS,
	"us-gov-east-1": AWSUSGov, "us-gov-west-1": AWSUSGov,
	"cn-north-1": AWSChina, "cn-northwest-1": AWSChina,
}

// Partition returns the partition of a known region, and false for an unknown one.
func Partition(region string) (string, bool) {
	p, ok := partitions[region]
	return p, ok
}

// Known reports whether the region is in the list.
func Known(region string) bool {
	_, ok := partitions[region]
	return ok
}

// Sorted returns every known region, sorted.
func Sorted() []string {
	out := make([]string, 0, len(partitions))
	for r := range partitions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
