package config

import (
	"regexp"
	"strings"
)

// Pipeline configures the BedrockPipeline stack: a CDK Pipelines (AWS CodePipeline) pipeline in
// a tooling account that promotes every change through the environments in order (dev, staging,
// then prod behind a manual approval), then the hub and management stacks, each behind its own
// approval. Optional: without it no pipeline stack is built.
type Pipeline struct {
	// Account is the 12-digit ID of the tooling account that holds the pipeline.
	Account string `json:"account"`
	// Region is the pipeline's region. Default: organization.homeRegion.
	Region string `json:"region,omitempty"`
	// ConnectionArn is the AWS CodeConnections (formerly CodeStar Connections) connection to the
	// Git provider, created once in the tooling account and the pipeline's region and authorized
	// in the console. No token is stored anywhere.
	ConnectionArn string `json:"connectionArn"`
	// Repository is the repository as "owner/name".
	Repository string `json:"repository"`
	// Branch is the branch whose every push runs the pipeline. Default: "main".
	Branch string `json:"branch,omitempty"`
	// ApprovalBefore lists the environments whose wave waits for a manual approval.
	// Default: every environment with termination protection on (in the example: prod).
	// The hub and management waves always wait for their own approval.
	ApprovalBefore []string `json:"approvalBefore,omitempty"`
}

// DefaultBranch is the branch the pipeline follows when none is set.
const DefaultBranch = "main"

// RegionOr returns the pipeline's region, defaulting to the organization's home region.
func (p *Pipeline) RegionOr(o Organization) string {
	if p.Region == "" {
		return o.Home()
	}
	return p.Region
}

// BranchOr returns the pipeline's branch.
func (p *Pipeline) BranchOr() string {
	if p.Branch == "" {
		return DefaultBranch
	}
	return p.Branch
}

// NeedsApproval reports whether an environment's wave waits for a manual approval.
func (p *Pipeline) NeedsApproval(e Environment) bool {
	if p.ApprovalBefore == nil {
		return e.TerminationProtected()
	}
	for _, n := range p.ApprovalBefore {
		if n == e.Name {
			return true
		}
	}
	return false
}

var (
	// AWS CodeConnections ARNs: the service prefix is codeconnections, or codestar-connections
	// for connections created before the rename (both work with CodePipeline).
	connectionArnRe = regexp.MustCompile(`^arn:aws(-us-gov)?:(codeconnections|codestar-connections):([a-z0-9-]+):([0-9]{12}):connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// Repository "owner/name": owner as the Git providers allow (letters, digits, hyphens,
	// dots, underscores), name likewise; Bitbucket and GitLab groups may nest with slashes.
	repositoryRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)+$`)
	// Branch names as git check-ref-format accepts them, minus the rarely used characters.
	branchRe = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
)

func (p *Pipeline) validate(c *Config, at string, pr *problems) {
	pr.account(at+".account", p.Account, "set the 12-digit ID of the tooling account that holds the pipeline")
	if p.Region != "" && !supportedRegion(p.Region) {
		pr.add("%s.region: %q is not a known AWS region (for example \"us-east-1\")", at, p.Region)
	}
	switch m := connectionArnRe.FindStringSubmatch(p.ConnectionArn); {
	case p.ConnectionArn == "":
		pr.add("%s.connectionArn: missing; create a connection to your Git provider in the tooling account (Developer Tools > Settings > Connections) and set its ARN", at)
	case m == nil:
		pr.add("%s.connectionArn: %q is not an AWS CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<uuid>)", at, p.ConnectionArn)
	}
	switch {
	case p.Repository == "":
		pr.add("%s.repository: missing; set the repository as \"owner/name\"", at)
	case !repositoryRe.MatchString(p.Repository) || strings.Contains(p.Repository, ".."):
		pr.add("%s.repository: %q is not \"owner/name\" (letters, digits, '.', '_', '-')", at, p.Repository)
	}
	if b := p.Branch; b != "" && (!branchRe.MatchString(b) || strings.Contains(b, "..") ||
		strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") || strings.HasSuffix(b, ".lock") || strings.HasPrefix(b, "-")) {
		pr.add("%s.branch: %q is not a valid branch name", at, b)
	}
	known := map[string]bool{}
	for _, e := range c.Environments {
		known[e.Name] = true
	}
	seen := map[string]bool{}
	for i, n := range p.ApprovalBefore {
		switch {
		case !known[n]:
			pr.add("%s.approvalBefore[%d]: %q is not an environment; use one of the names in environments", at, i, n)
		case seen[n]:
			pr.add("%s.approvalBefore[%d]: %q is listed twice", at, i, n)
		}
		seen[n] = true
	}
}
