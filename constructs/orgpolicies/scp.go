package orgpolicies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// MaxSCPSize is the largest service control policy AWS Organizations accepts, in characters.
// Organizations counts every character of the stored document, white space included, so the
// policies here are measured as minified JSON, the form CloudFormation submits for a JSON
// object Content. All characters are ASCII, so characters equal bytes.
const MaxSCPSize = 5120

// MaxSCPsPerTarget is how many SCPs one root, OU or account can hold, AWS's FullAWSAccess
// included.
const MaxSCPsPerTarget = 5

// InvokeActions are the IAM actions that authorize model inference: InvokeModel and Converse
// (and asynchronous invocation) use bedrock:InvokeModel, the streaming variants
// bedrock:InvokeModelWithResponseStream (there is no bedrock:Converse action), batch
// inference bedrock:CreateModelInvocationJob.
var InvokeActions = []string{"bedrock:CreateModelInvocationJob", "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}

// Sids of the statements, stable so tests and reviewers can name them.
const (
	SidProtectLoggingConfig = "ProtectBedrockLoggingConfig"
	SidProtectLogBucket     = "ProtectBedrockLogBucket"
	SidProtectLogGroup      = "ProtectBedrockLogGroup"
	SidProtectLogKeys       = "ProtectBedrockLogKeys"
	SidProtectPlatformRoles = "ProtectBedrockPlatformRoles"
	SidProtectPlatformCode  = "ProtectBedrockPlatformFunctions"
	SidProtectRolePassing   = "ProtectBedrockPlatformRolePassing"
	SidProtectDeployRole    = "ProtectBedrockDeployRole"
	SidApprovedModels       = "DenyUnapprovedModels"
	SidApprovedMantleModels = "DenyUnapprovedMantleModels"
	SidApprovedRegions      = "DenyBedrockOutsideRegions"
	SidNoAPIKeyCreation     = "DenyBedrockLongTermKeyCreation"
	SidNoLongTermKeyUse     = "DenyBedrockLongTermKeyUse"
)

// SCPOptions selects and parameterizes the statements. The zero value protects logging (with
// the default platform roles exempt) and denies long-term Bedrock API keys, and restricts no
// models or regions.
type SCPOptions struct {
	// Partition of the ARNs. Default: "aws".
	Partition string
	// DisableLoggingProtection leaves out the statements that protect invocation logging.
	DisableLoggingProtection bool
	// DeployAccounts are the accounts whose principals may assume the CDK deploy roles of the
	// target accounts (the pipeline's tooling account). Default: none; only the exempt roles may.
	DeployAccounts []string
	// ExemptRoleNames are IAM role names (wildcards allowed) in every account that may change
	// the logging configuration and its destinations, in addition to the platform roles: the
	// StackSet execution role, the logging-configuration role and the CDK deploy role
	// (naming.StackSetExecutionRolePattern, LoggingConfigRolePattern, CDKExecutionRolePattern).
	// Put the break-glass role here.
	ExemptRoleNames []string
	// LogBucketPatterns are the names (wildcards allowed) of the log buckets to protect.
	// Default: naming.LogBucketPattern.
	LogBucketPatterns []string
	// LogGroupNames are the log groups to protect. Default: naming.InvocationLogGroupName.
	LogGroupNames []string
	// KeyTagKey and KeyTagValue identify the baseline's KMS keys. Default:
	// naming.BaselineTagKey, naming.BaselineTagValue.
	KeyTagKey, KeyTagValue string
	// ApprovedModels are model ID prefixes (e.g. "anthropic.claude-3-5-haiku",
	// "amazon.nova-micro-v1:0"); inference on any other model is denied, directly and through
	// inference profiles. Empty: no model restriction.
	ApprovedModels []string
	// ApprovedModelArns are further resource ARN patterns inference may use while
	// ApprovedModels restricts it: provisioned throughput, custom or imported models, prompt
	// routers ("arn:aws:bedrock:*:111122223333:provisioned-model/*"). Default: none (those are
	// denied).
	ApprovedModelArns []string
	// ApprovedRegions are the regions Bedrock may be called in. Empty: no region restriction.
	ApprovedRegions []string
	// CrossRegionProfiles are the geographic prefixes of system inference profiles ("us",
	// "eu", "apac", "global"...) whose cross-region routing is allowed into regions outside
	// ApprovedRegions, when the profile is invoked in an approved region.
	CrossRegionProfiles []string
	// AllowLongTermAPIKeys leaves out the statements that deny creating and using long-term
	// Bedrock API keys. Default false: they are denied.
	AllowLongTermAPIKeys bool
}

// Statement is one IAM policy statement, with its keys in the usual order.
type Statement struct {
	Sid         string                    `json:"Sid,omitempty"`
	Effect      string                    `json:"Effect"`
	Action      any                       `json:"Action,omitempty"`
	NotAction   any                       `json:"NotAction,omitempty"`
	Resource    any                       `json:"Resource,omitempty"`
	NotResource any                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string]any `json:"Condition,omitempty"`
}

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Minified returns v as compact JSON without HTML escaping: the form whose length
// Organizations compares with its limits.
func Minified(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// Map returns the document as plain JSON values (for a CloudFormation property).
func (d Document) Map() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(Minified(d), &m); err != nil {
		panic(err)
	}
	return m
}

// Size is the document's length as Organizations counts it.
func (d Document) Size() int { return len(Minified(d)) }

var (
	// A role name, optionally after its path ("aws-reserved/sso.amazonaws.com/AWSReservedSSO_*").
	roleNameRe  = regexp.MustCompile(`^[\w+=,.@*?/-]{1,512}$`)
	bucketPatRe = regexp.MustCompile(`^[a-z0-9.*?-]{1,63}$`)
	modelIDRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9.:_-]{1,127}$`)
	profileRe   = regexp.MustCompile(`^[a-z][a-z-]{1,15}$`)
	regionRe    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	modelArnRe  = regexp.MustCompile(`^arn:(aws|aws-us-gov|\*):bedrock:[a-z0-9*-]*:[0-9*]*:[a-z-]+/[A-Za-z0-9.:_*?/-]+$`)
)

// ExemptRoleArnPatterns returns the ArnLike patterns of the roles exempt from the logging
// protection: the platform roles and the extra names.
func (o SCPOptions) ExemptRoleArnPatterns() []string {
	p := o.partition()
	out := []string{
		naming.RoleArnPattern(p, naming.StackSetExecutionRolePattern),
		naming.RoleArnPattern(p, naming.LoggingConfigRolePattern),
		naming.RoleArnPattern(p, naming.CDKExecutionRolePattern),
	}
	for _, n := range o.ExemptRoleNames {
		out = append(out, naming.RoleArnPattern(p, n))
	}
	return out
}

func (o SCPOptions) partition() string {
	if o.Partition == "" {
		return "aws"
	}
	return o.Partition
}

// Validate reports every malformed option at once.
func (o SCPOptions) Validate() error {
	var bad []string
	check := func(re *regexp.Regexp, what string, vals []string, hint string) {
		for _, v := range vals {
			if !re.MatchString(v) {
				bad = append(bad, fmt.Sprintf("%s %q %s", what, v, hint))
			}
		}
	}
	check(roleNameRe, "exempt role name", o.ExemptRoleNames, "is not an IAM role name or path/name (letters, digits, +=,.@_-/ and wildcards * ?)")
	check(bucketPatRe, "log bucket pattern", o.LogBucketPatterns, "is not an S3 bucket name pattern")
	check(modelIDRe, "approved model", o.ApprovedModels, "is not a Bedrock model ID prefix such as \"anthropic.claude-3-5-haiku\"")
	for _, a := range o.ApprovedModelArns {
		if !modelArnRe.MatchString(a) {
			bad = append(bad, fmt.Sprintf("approved model ARN %q is not a Bedrock resource ARN pattern (arn:<partition>:bedrock:<region>:<account>:<type>/<id>, wildcards allowed)", a))
		}
	}
	check(regionRe, "approved region", o.ApprovedRegions, "is not an AWS region such as \"us-east-1\"")
	check(profileRe, "cross-region profile prefix", o.CrossRegionProfiles, "is not a geographic inference-profile prefix such as \"us\", \"eu\" or \"global\"")
	for _, g := range o.LogGroupNames {
		if g == "" || strings.ContainsAny(g, " \"") || len(g) > 512 {
			bad = append(bad, fmt.Sprintf("log group name %q is not a CloudWatch Logs log group name", g))
		}
	}
	if len(o.CrossRegionProfiles) > 0 && len(o.ApprovedRegions) == 0 {
		bad = append(bad, "cross-region profiles are set without approved regions; they only carve exceptions out of the region restriction")
	}
	if len(bad) > 0 {
		return fmt.Errorf("service control policies: %s", strings.Join(bad, "; "))
	}
	return nil
}

// Statements returns the statements the options select, in a fixed order.
func Statements(o SCPOptions) []Statement {
	p := o.partition()
	var out []Statement
	exempt := map[string]any{"aws:PrincipalArn": oneOrMany(o.ExemptRoleArnPatterns())}
	if !o.DisableLoggingProtection {
		out = append(out, Statement{
			Sid:       SidProtectLoggingConfig,
			Effect:    "Deny",
			Action:    []string{"bedrock:DeleteModelInvocationLoggingConfiguration", "bedrock:PutModelInvocationLoggingConfiguration"},
			Resource:  "*",
			Condition: map[string]map[string]any{"ArnNotLike": exempt},
		})
		buckets := orDefault(o.LogBucketPatterns, naming.LogBucketPattern)
		var bucketArns []string
		for _, b := range buckets {
			bucketArns = append(bucketArns, fmt.Sprintf("arn:%s:s3:::%s", p, b), fmt.Sprintf("arn:%s:s3:::%s/*", p, b))
		}
		out = append(out, Statement{
			Sid:    SidProtectLogBucket,
			Effect: "Deny",
			// Bucket-level actions (DeleteBucketLifecycle, DeleteBucketReplication and
			// DeleteBucketEncryption are authorized by the Put* actions) and object deletion.
			Action: []string{
				"s3:BypassGovernanceRetention", "s3:DeleteBucket", "s3:DeleteBucketPolicy",
				"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutBucketObjectLockConfiguration",
				"s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
				"s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
			},
			Resource:  bucketArns,
			Condition: map[string]map[string]any{"ArnNotLike": exempt},
		})
		var groupArns []string
		for _, g := range orDefault(o.LogGroupNames, naming.InvocationLogGroupName) {
			// log-group:<name> and log-group:<name>:* (its streams) alike.
			groupArns = append(groupArns, fmt.Sprintf("arn:%s:logs:*:*:log-group:%s*", p, g))
		}
		out = append(out, Statement{
			Sid:    SidProtectLogGroup,
			Effect: "Deny",
			Action: []string{
				"logs:AssociateKmsKey", "logs:DeleteLogGroup", "logs:DeleteLogStream",
				"logs:DeleteRetentionPolicy", "logs:DeleteSubscriptionFilter",
				"logs:DisassociateKmsKey", "logs:PutRetentionPolicy",
			},
			Resource:  oneOrMany(groupArns),
			Condition: map[string]map[string]any{"ArnNotLike": exempt},
		})
		tagKey, tagValue := o.KeyTagKey, o.KeyTagValue
		if tagKey == "" {
			tagKey, tagValue = naming.BaselineTagKey, naming.BaselineTagValue
		}
		out = append(out, Statement{
			Sid:    SidProtectLogKeys,
			Effect: "Deny",
			Action: []string{
				"kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy",
				"kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
			},
			Resource: "*",
			Condition: map[string]map[string]any{
				"StringEquals": {"aws:ResourceTag/" + tagKey: tagValue},
				"ArnNotLike":   exempt,
			},
		})
	}
	if !o.DisableLoggingProtection {
		// The exemption goes by role name, so only exempt roles may create or change roles with
		// those names; otherwise anyone allowed to create roles could name one after a
		// platform role. (Service-linked roles, which create the StackSet execution roles, are
		// not subject to SCPs.)
		// The replication and delivery roles are protected too, so archiving and the CloudWatch
		// copy cannot be stopped by editing them.
		protectedRoles := append(o.ExemptRoleArnPatterns(),
			naming.RoleArnPattern(p, naming.ReplicationRolePattern), naming.RoleArnPattern(p, naming.DeliveryRolePattern))
		out = append(out, Statement{
			Sid:    SidProtectPlatformRoles,
			Effect: "Deny",
			Action: []string{
				"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRolePermissionsBoundary",
				"iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
				"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
			},
			Resource:  protectedRoles,
			Condition: map[string]map[string]any{"ArnNotLike": exempt},
		})
		// Passing an exempt role to a function or service of one's own would hand its exemption
		// to that code. The CDK deploy role passes the execution role to CloudFormation, so it
		// may pass roles, and only that: it is not exempt from anything else.
		passers := append(o.ExemptRoleArnPatterns(), naming.RoleArnPattern(p, naming.CDKDeployRolePattern))
		out = append(out, Statement{
			Sid:       SidProtectRolePassing,
			Effect:    "Deny",
			Action:    "iam:PassRole",
			Resource:  protectedRoles,
			Condition: map[string]map[string]any{"ArnNotLike": {"aws:PrincipalArn": oneOrMany(passers)}},
		})
		// Whoever assumes the deploy role can start CloudFormation as the exempt execution role,
		// so only the platform roles and principals of the deploying (pipeline) accounts may.
		deployCond := map[string]map[string]any{"ArnNotLike": exempt}
		if len(o.DeployAccounts) > 0 {
			deployCond["StringNotEquals"] = map[string]any{"aws:PrincipalAccount": oneOrMany(sortedUnique(o.DeployAccounts))}
		}
		out = append(out, Statement{
			Sid:       SidProtectDeployRole,
			Effect:    "Deny",
			Action:    "sts:AssumeRole",
			Resource:  naming.RoleArnPattern(p, naming.CDKDeployRolePattern),
			Condition: deployCond,
		})
		// The logging-configuration function runs as an exempt role: whoever could change its
		// code, or invoke it with a forged Delete event, could switch logging off. The
		// compliance-rule function is covered by the same name pattern. (CloudFormation invokes
		// custom resources with the deploying role, which is exempt; AWS Config invokes rules
		// as its service principal, which SCPs do not restrict.)
		out = append(out, Statement{
			Sid:    SidProtectPlatformCode,
			Effect: "Deny",
			Action: []string{
				"lambda:AddPermission", "lambda:DeleteFunction", "lambda:InvokeFunction",
				"lambda:PutFunctionConcurrency", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
			},
			Resource:  fmt.Sprintf("arn:%s:lambda:*:*:function:%s", p, naming.LambdaFunctionPattern),
			Condition: map[string]map[string]any{"ArnNotLike": exempt},
		})
	}
	if len(o.ApprovedModels) > 0 {
		models := sortedUnique(o.ApprovedModels)
		var allowed []string
		for _, m := range models {
			allowed = append(allowed, fmt.Sprintf("arn:%s:bedrock:*::foundation-model/%s*", p, m))
		}
		for _, m := range models {
			// System-defined (cross-region) profiles are named <geo>.<model id>.
			allowed = append(allowed, fmt.Sprintf("arn:%s:bedrock:*:*:inference-profile/*.%s*", p, m))
		}
		// Application inference profiles have opaque IDs; invoking one is also authorized
		// against the foundation model it routes to, which the list above restricts. Batch
		// jobs and asynchronous invocations are authorized against their model too.
		allowed = append(allowed,
			fmt.Sprintf("arn:%s:bedrock:*:*:application-inference-profile/*", p),
			fmt.Sprintf("arn:%s:bedrock:*:*:async-invoke/*", p),
			fmt.Sprintf("arn:%s:bedrock:*:*:model-invocation-job/*", p))
		allowed = append(allowed, sortedUnique(o.ApprovedModelArns)...)
		out = append(out, Statement{
			Sid:         SidApprovedModels,
			Effect:      "Deny",
			Action:      InvokeActions,
			NotResource: allowed,
		})
		var mantle []string
		for _, m := range models {
			mantle = append(mantle, "*"+m+"*")
		}
		out = append(out, Statement{
			Sid:       SidApprovedMantleModels,
			Effect:    "Deny",
			Action:    "bedrock-mantle:CreateInference",
			Resource:  "*",
			Condition: map[string]map[string]any{"StringNotLike": {"bedrock-mantle:Model": oneOrMany(mantle)}},
		})
	}
	if len(o.ApprovedRegions) > 0 {
		regions := sortedUnique(o.ApprovedRegions)
		cond := map[string]map[string]any{"StringNotEquals": {"aws:RequestedRegion": oneOrMany(regions)}}
		if len(o.CrossRegionProfiles) > 0 {
			var profiles []string
			for _, r := range regions {
				for _, g := range sortedUnique(o.CrossRegionProfiles) {
					profiles = append(profiles, fmt.Sprintf("arn:%s:bedrock:%s:*:inference-profile/%s.*", p, r, g))
				}
			}
			// Absent (a direct call) counts as not approved; present, the profile must be an
			// approved geography invoked in an approved region.
			cond["ArnNotLikeIfExists"] = map[string]any{"bedrock:InferenceProfileArn": oneOrMany(profiles)}
		}
		out = append(out, Statement{
			Sid:       SidApprovedRegions,
			Effect:    "Deny",
			Action:    []string{"bedrock-mantle:*", "bedrock:*"},
			Resource:  "*",
			Condition: cond,
		})
	}
	if !o.AllowLongTermAPIKeys {
		out = append(out, Statement{
			Sid:       SidNoAPIKeyCreation,
			Effect:    "Deny",
			Action:    "iam:CreateServiceSpecificCredential",
			Resource:  "*",
			Condition: map[string]map[string]any{"StringEquals": {"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}},
		}, Statement{
			Sid:      SidNoLongTermKeyUse,
			Effect:   "Deny",
			Action:   []string{"bedrock-mantle:CallWithBearerToken", "bedrock:CallWithBearerToken"},
			Resource: "*",
			// Each action carries only its own service's key; IfExists lets the other pass.
			Condition: map[string]map[string]any{"StringEqualsIfExists": {
				"bedrock:BearerTokenType":        "LONG_TERM",
				"bedrock-mantle:BearerTokenType": "LONG_TERM",
			}},
		})
	}
	return out
}

// Pack merges statements, in order, into as few documents as fit within max characters each
// (first fit, so a later small statement may fill an earlier document). It fails naming the
// statement when one alone exceeds max.
func Pack(stmts []Statement, max int) ([]Document, error) {
	var docs []Document
	for _, s := range stmts {
		if alone := (Document{Version: "2012-10-17", Statement: []Statement{s}}).Size(); alone > max {
			return nil, fmt.Errorf("statement %s alone is %d characters, over the %d-character limit; shorten its lists (fewer models, regions or patterns)", s.Sid, alone, max)
		}
		placed := false
		for i := range docs {
			try := Document{Version: docs[i].Version, Statement: append(append([]Statement{}, docs[i].Statement...), s)}
			if try.Size() <= max {
				docs[i] = try
				placed = true
				break
			}
		}
		if !placed {
			docs = append(docs, Document{Version: "2012-10-17", Statement: []Statement{s}})
		}
	}
	return docs, nil
}

func oneOrMany(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

func orDefault(v []string, def string) []string {
	if len(v) == 0 {
		return []string{def}
	}
	return v
}

func sortedUnique(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
