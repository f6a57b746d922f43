package config

import (
	"fmt"
	"regexp"
)

// StackSets is the `stackSets` section: CloudFormation StackSets in the management account
// (or a delegated administrator) that roll the member baseline out to every account of the
// listed organizational units, including accounts that join them later. Optional.
type StackSets struct {
	// CallAs is "SELF" (the management account deploys) or "DELEGATED_ADMIN" (a registered
	// delegated administrator deploys). Default: "SELF".
	CallAs string `json:"callAs,omitempty"`
	// DelegatedAdminAccount is the registered delegated administrator for StackSets that
	// deploys them when CallAs is "DELEGATED_ADMIN": the StackSets then live in the stack
	// BedrockOrgStackSets in that account (home region) instead of BedrockOrg.
	DelegatedAdminAccount string `json:"delegatedAdminAccount,omitempty"`
	// Profiles are the StackSets, one per environment profile.
	Profiles []StackSetProfile `json:"profiles"`
}

// StackSetProfile is one StackSet: the member baseline of an environment, deployed to OUs.
type StackSetProfile struct {
	// Environment names the environment (in `environments`) whose settings the template uses:
	// alerts, thresholds, retention, lifecycle, tags. Its account is not used.
	Environment string `json:"environment"`
	// OrganizationalUnits are the OU IDs (ou-xxxx-xxxxxxxx, or the root r-xxxx) to deploy to;
	// 1 to 50 (one StackSet operation targets at most 50).
	OrganizationalUnits []string `json:"organizationalUnits"`
	// Regions to deploy to in each account. Default: the environment's regions.
	Regions []string `json:"regions,omitempty"`
	// FailureTolerancePercentage of accounts per region that may fail before the operation
	// stops in that region (0-100). Default: 10.
	FailureTolerancePercentage *float64 `json:"failureTolerancePercentage,omitempty"`
	// MaxConcurrentPercentage of accounts per region deployed at once (1-100). Default: 25.
	MaxConcurrentPercentage *float64 `json:"maxConcurrentPercentage,omitempty"`
	// RegionConcurrency is "PARALLEL" or "SEQUENTIAL". Default: "PARALLEL".
	RegionConcurrency string `json:"regionConcurrency,omitempty"`
	// ConcurrencyMode is "SOFT_FAILURE_TOLERANCE" or "STRICT_FAILURE_TOLERANCE". Default:
	// "SOFT_FAILURE_TOLERANCE".
	ConcurrencyMode string `json:"concurrencyMode,omitempty"`
}

// RegionsOf returns the profile's regions, or the environment's.
func (s StackSetProfile) RegionsOf(e *Environment) []string {
	if len(s.Regions) > 0 {
		return s.Regions
	}
	if e == nil {
		return nil
	}
	return e.Regions
}

// Environment returns the environment with the name, or nil.
func (c *Config) Environment(name string) *Environment {
	for i := range c.Environments {
		if c.Environments[i].Name == name {
			return &c.Environments[i]
		}
	}
	return nil
}

var ouRe = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)

func (s *StackSets) validate(c *Config, p *problems) {
	const at = "stackSets"
	switch s.CallAs {
	case "", "SELF", "DELEGATED_ADMIN":
	default:
		p.add("%s.callAs: %q must be \"SELF\" or \"DELEGATED_ADMIN\"", at, s.CallAs)
	}
	if c.Organization.ManagementAccount == "" {
		p.add("%s: organization.managementAccount is required to deploy StackSets (BedrockOrg deploys there)", at)
	}
	switch {
	case s.CallAs == "DELEGATED_ADMIN" && !accountRe.MatchString(s.DelegatedAdminAccount):
		p.add("%s.delegatedAdminAccount: %q must be the 12-digit delegated administrator account when callAs is DELEGATED_ADMIN", at, s.DelegatedAdminAccount)
	case s.CallAs != "DELEGATED_ADMIN" && s.DelegatedAdminAccount != "":
		p.add("%s.delegatedAdminAccount: set only with \"callAs\": \"DELEGATED_ADMIN\"", at)
	case s.DelegatedAdminAccount != "" && s.DelegatedAdminAccount == c.Organization.ManagementAccount:
		p.add("%s.delegatedAdminAccount: %q is the management account; use \"callAs\": \"SELF\" there", at, s.DelegatedAdminAccount)
	}
	if len(s.Profiles) == 0 {
		p.add("%s.profiles: missing; add one profile per environment to roll out, or remove the section", at)
	}
	envs := map[string]int{}
	ous := map[string]string{}
	for i, pr := range s.Profiles {
		pat := fmt.Sprintf("stackSets.profiles[%d]", i)
		e := c.Environment(pr.Environment)
		switch {
		case pr.Environment == "":
			p.add("%s.environment: missing; name an environment from `environments`", pat)
		case e == nil:
			p.add("%s.environment: %q is not an environment in `environments`", pat, pr.Environment)
		default:
			if j, dup := envs[pr.Environment]; dup {
				p.add("%s.environment: %q already has a StackSet at stackSets.profiles[%d]", pat, pr.Environment, j)
			}
			envs[pr.Environment] = i
		}
		if n := len(pr.OrganizationalUnits); n == 0 || n > 50 {
			p.add("%s.organizationalUnits: %d listed; give 1 to 50 (a StackSet operation targets at most 50 OUs; target a parent OU to cover more)", pat, n)
		}
		for j, ou := range pr.OrganizationalUnits {
			switch {
			case !ouRe.MatchString(ou):
				p.add("%s.organizationalUnits[%d]: %q is not an OU ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)", pat, j, ou)
			case ous[ou] != "":
				p.add("%s.organizationalUnits[%d]: %q is already targeted by profile %q; an account can hold only one member baseline per region", pat, j, ou, ous[ou])
			default:
				ous[ou] = pr.Environment
			}
		}
		if c.Policies != nil && len(c.Policies.ApprovedRegions) > 0 {
			approved := map[string]bool{}
			for _, r := range c.Policies.ApprovedRegions {
				approved[r] = true
			}
			for _, r := range pr.RegionsOf(e) {
				if !approved[r] {
					p.add("%s: region %q is not in policies.approvedRegions; the SCPs would deny Bedrock there, including the baseline's logging configuration", pat, r)
				}
			}
		}
		seen := map[string]bool{}
		for j, r := range pr.Regions {
			switch {
			case !supportedRegion(r):
				p.add("%s.regions[%d]: %q is not a known AWS region", pat, j, r)
			case seen[r]:
				p.add("%s.regions[%d]: %q is listed twice", pat, j, r)
			}
			seen[r] = true
		}
		if v := pr.FailureTolerancePercentage; v != nil && (*v < 0 || *v > 100) {
			p.add("%s.failureTolerancePercentage: %v must be 0 to 100", pat, *v)
		}
		if v := pr.MaxConcurrentPercentage; v != nil && (*v < 1 || *v > 100) {
			p.add("%s.maxConcurrentPercentage: %v must be 1 to 100", pat, *v)
		}
		switch pr.RegionConcurrency {
		case "", "PARALLEL", "SEQUENTIAL":
		default:
			p.add("%s.regionConcurrency: %q must be \"PARALLEL\" or \"SEQUENTIAL\"", pat, pr.RegionConcurrency)
		}
		switch pr.ConcurrencyMode {
		case "", "SOFT_FAILURE_TOLERANCE", "STRICT_FAILURE_TOLERANCE":
		default:
			p.add("%s.concurrencyMode: %q must be \"SOFT_FAILURE_TOLERANCE\" or \"STRICT_FAILURE_TOLERANCE\"", pat, pr.ConcurrencyMode)
		}
	}
}
