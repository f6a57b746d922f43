package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/bedrockgov/bedrockgov/tools/awstarget"
)

// The account and region machinery is shared with tools/report
// (tools/awstarget); these names keep the rest of the tool readable.
type (
	target          = awstarget.Target
	assumeRoleError = awstarget.AssumeRoleError
)

// loadAWSConfig loads the SDK default chain quietly, with the retry settings
// of awstarget (a refused connection fails at once).
func loadAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	return awstarget.LoadConfig(ctx, region, "")
}

// session builds the clients for targets, assuming --role-name in accounts
// other than the caller's own.
type session struct {
	*awstarget.Session
}

func newSession(ctx context.Context, base aws.Config, roleName string) (*session, error) {
	s, err := awstarget.NewSession(ctx, base, roleName, "bedrockgov-logging")
	if err != nil {
		return nil, err
	}
	return &session{s}, nil
}

// clients builds the clients for one target.
func (s *session) clients(ctx context.Context, t target) (targetClients, error) {
	cfg, err := s.Config(ctx, t)
	if err != nil {
		return targetClients{}, err
	}
	pathStyle := s.PathStyle()
	return targetClients{
		Bedrock: bedrock.NewFromConfig(cfg),
		SSM:     ssm.NewFromConfig(cfg),
		S3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }),
		Logs:    cloudwatchlogs.NewFromConfig(cfg),
	}, nil
}

// listOrgAccounts lists the ACTIVE accounts of the organization, or of one
// OU and every OU below it.
func listOrgAccounts(ctx context.Context, c orgAPI, ou string) ([]string, error) {
	return awstarget.ListOrgAccounts(ctx, c, ou)
}
