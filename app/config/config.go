// Package config is the typed configuration of the bedrockgov CDK app: the organization's
// environments, their accounts and regions, alert recipients, alarm thresholds, log retention,
// lifecycle and tags. It is read once from the `bedrockgov` key of the cdk.json context (or a
// JSON file named by the `bedrockgov:configFile` context key), validated as a whole, and handed
// to the stacks as plain Go values. It imports nothing from the CDK, so it is fast to test.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ContextKey is the cdk.json context key that holds the configuration object.
const ContextKey = "bedrockgov"

// FileContextKey is the context key naming a JSON file that holds the configuration object
// instead (for example `cdk synth -c bedrockgov:configFile=org.json`).
const FileContextKey = "bedrockgov:configFile"

// Severity is how urgent an alarm is; each severity has its own SNS topic and recipients.
type Severity string

// The three alarm severities.
const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Severities lists every severity, most urgent first.
var Severities = []Severity{SeverityCritical, SeverityWarning, SeverityInfo}

// Config is the whole configuration.
type Config struct {
	// Organization describes the AWS Organization the environments belong to.
	Organization Organization `json:"organization"`
	// Environments are the member environments (dev, staging, prod ...), one member stack per
	// environment and region.
	Environments []Environment `json:"environments"`
	// Hub is the central monitoring and audit account. Optional; see Hub.
	Hub *Hub `json:"hub,omitempty"`
	// Policies are the organization's service control policies and enforced guardrail,
	// deployed by the BedrockOrg stack. Optional.
	Policies *Policies `json:"policies,omitempty"`
	// StackSets roll the member baseline out to organizational units from the BedrockOrg
	// stack. Optional.
	StackSets *StackSets `json:"stackSets,omitempty"`
	// Pipeline configures the BedrockPipeline stack (CDK Pipelines promotion across the
	// environments). Optional.
	Pipeline *Pipeline `json:"pipeline,omitempty"`
}

// Organization holds organization-wide settings.
type Organization struct {
	// Name is a short name used in resource names and descriptions (letters, digits, hyphens).
	Name string `json:"name"`
	// ID is the AWS Organizations ID ("o-" and 10 to 32 lower-case letters or digits). Needed by
	// the hub (its policies admit only this organization) and the management-account stack.
	ID string `json:"id,omitempty"`
	// ManagementAccount is the 12-digit ID of the organization's management account, where the
	// BedrockOrg stack (SCPs, Bedrock policy, StackSets) deploys.
	ManagementAccount string `json:"managementAccount,omitempty"`
	// HomeRegion is the management account's home region (the BedrockOrg stack's region).
	// Default: us-east-1.
	HomeRegion string `json:"homeRegion,omitempty"`
}

// DefaultHomeRegion is the organization's home region when none is set.
const DefaultHomeRegion = "us-east-1"

// Home returns the organization's home region.
func (o Organization) Home() string {
	if o.HomeRegion == "" {
		return DefaultHomeRegion
	}
	return o.HomeRegion
}

// Environment is one member environment.
type Environment struct {
	// Name identifies the environment (lower-case letters, digits, hyphens), e.g. "prod".
	Name string `json:"name"`
	// Account is the 12-digit AWS account ID the environment's stacks deploy to.
	Account string `json:"account"`
	// Regions are the AWS regions to deploy to; the first is the environment's primary region.
	Regions []string `json:"regions"`
	// AlertEmails are the email recipients for each alarm severity.
	AlertEmails AlertEmails `json:"alertEmails"`
	// Thresholds are the alarm thresholds.
	Thresholds Thresholds `json:"thresholds"`
	// MonitoredModels are Bedrock model IDs (as they appear in the ModelId metric dimension,
	// at least one, at most 20) that get per-model alarms: p90 latency, client-error rate and a token-volume anomaly band.
	// Throttles, server errors and log-delivery failures are alarmed account-wide regardless.
	MonitoredModels []string `json:"monitoredModels"`
	// LogRetentionDays is how long the CloudWatch log group keeps invocation logs; it must be a
	// value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
	// 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
	LogRetentionDays int `json:"logRetentionDays"`
	// Lifecycle controls the S3 log bucket's storage-class transitions and expiry.
	Lifecycle Lifecycle `json:"lifecycle"`
	// LogKeyPrefix is the S3 key prefix Bedrock writes invocation logs under. Default
	// "bedrock-invocation-logs".
	LogKeyPrefix string `json:"logKeyPrefix,omitempty"`
	// Tags are applied to every resource of the environment's stacks.
	Tags Tags `json:"tags"`
	// ObjectLockDays turns on S3 Object Lock (governance mode) on the log bucket with this
	// default retention, so no one without the bypass permission can delete or overwrite a
	// log object for that long. 0 (the default) leaves Object Lock off. At most
	// lifecycle.expirationDays.
	ObjectLockDays int `json:"objectLockDays,omitempty"`
	// LoggingOwner says who puts the invocation-logging configuration: "stack" (default: a
	// custom resource of the member stack puts it on create and update and deletes it when the
	// stack is deleted) or "tool" (left to `go run ./tools/logging enable`).
	LoggingOwner string `json:"loggingOwner,omitempty"`
	// LoggingDataTypes are the kinds of data the stack's logging configuration delivers.
	// Default: text and embedding (what tools/logging enables by default).
	LoggingDataTypes *DataTypes `json:"loggingDataTypes,omitempty"`
	// ExistingLogGroup makes the stack use a log group of the configured name that already
	// exists in the account (created by hand or by an earlier deployment) instead of creating
	// it. Its retention and encryption are then not managed by the stack. Default false.
	ExistingLogGroup bool `json:"existingLogGroup,omitempty"`
	// TerminationProtection turns on CloudFormation termination protection. Default: true;
	// set false for environments whose stacks may be deleted freely.
	TerminationProtection *bool `json:"terminationProtection,omitempty"`
	// Guardrail is the environment's Bedrock guardrail (see member.go). Default: none.
	Guardrail *Guardrail `json:"guardrail,omitempty"`
	// Budget is the environment's monthly cost budget (see member.go). Default: none.
	Budget *Budget `json:"budget,omitempty"`
	// VPCEndpoints are private Bedrock endpoints in a VPC (see member.go). Default: none.
	VPCEndpoints *VPCEndpoints `json:"vpcEndpoints,omitempty"`
	// ComplianceRules creates the AWS Config rules (see member.go). Default: true.
	ComplianceRules *bool `json:"complianceRules,omitempty"`
}

// Who puts the invocation-logging configuration.
const (
	LoggingOwnerStack = "stack"
	LoggingOwnerTool  = "tool"
)

// DataTypes are the kinds of request and response data Bedrock invocation logs carry.
type DataTypes struct {
	Text      bool `json:"text"`
	Image     bool `json:"image"`
	Embedding bool `json:"embedding"`
	Video     bool `json:"video"`
	Audio     bool `json:"audio"`
}

// StackOwnsLogging reports whether the member stack puts the logging configuration.
func (e Environment) StackOwnsLogging() bool { return e.LoggingOwner != LoggingOwnerTool }

// DataTypesOrDefault returns the configured data types, or text and embedding.
func (e Environment) DataTypesOrDefault() DataTypes {
	if e.LoggingDataTypes != nil {
		return *e.LoggingDataTypes
	}
	return DataTypes{Text: true, Embedding: true}
}

// AlertEmails are email recipients per severity. Critical must have at least one recipient.
type AlertEmails struct {
	Critical []string `json:"critical"`
	Warning  []string `json:"warning"`
	Info     []string `json:"info"`
}

// For returns the recipients of one severity.
func (a AlertEmails) For(s Severity) []string {
	switch s {
	case SeverityCritical:
		return a.Critical
	case SeverityWarning:
		return a.Warning
	default:
		return a.Info
	}
}

// Thresholds are the alarm thresholds; every one must be greater than zero.
type Thresholds struct {
	// ThrottlesPer5Min: warning when more invocations than this are throttled in 5 minutes
	// (all models together).
	ThrottlesPer5Min float64 `json:"throttlesPer5Min"`
	// ServerErrorsPer5Min: critical when more invocations than this fail with a server error in
	// 5 minutes (all models together).
	ServerErrorsPer5Min float64 `json:"serverErrorsPer5Min"`
	// ClientErrorRatePercent: warning when more than this percentage of a monitored model's
	// requests fail with a client error over 5 minutes.
	ClientErrorRatePercent float64 `json:"clientErrorRatePercent"`
	// LatencyP90Ms: warning when a monitored model's p90 invocation latency exceeds this many
	// milliseconds.
	LatencyP90Ms float64 `json:"latencyP90Ms"`
	// TokenAnomalyStdDevs: the width, in standard deviations, of the anomaly-detection band on
	// a monitored model's token volume (info when above the band).
	TokenAnomalyStdDevs float64 `json:"tokenAnomalyStdDevs"`
}

// Lifecycle is the S3 log bucket's lifecycle, in days after an object is written.
type Lifecycle struct {
	// InfrequentAccessDays moves objects to S3 Standard-IA (at least 30).
	InfrequentAccessDays int `json:"infrequentAccessDays"`
	// GlacierDays moves objects to S3 Glacier Flexible Retrieval (at least 30 days after
	// InfrequentAccessDays: S3 keeps objects in Standard-IA for 30 days at least).
	GlacierDays int `json:"glacierDays"`
	// ExpirationDays deletes objects (after GlacierDays). 0 keeps them for ever.
	ExpirationDays int `json:"expirationDays"`
}

// Tags are the required governance tags, plus any extra ones.
type Tags struct {
	CostCenter            string            `json:"costCenter"`
	DataClassification    string            `json:"dataClassification"`
	ComplianceRequirement string            `json:"complianceRequirement"`
	Extra                 map[string]string `json:"extra,omitempty"`
}

// Map returns every tag as AWS tag key -> value.
func (t Tags) Map() map[string]string {
	m := map[string]string{
		"CostCenter":            t.CostCenter,
		"DataClassification":    t.DataClassification,
		"ComplianceRequirement": t.ComplianceRequirement,
	}
	for k, v := range t.Extra {
		m[k] = v
	}
	return m
}

// DefaultLogKeyPrefix is the S3 key prefix used when an environment sets none.
const DefaultLogKeyPrefix = "bedrock-invocation-logs"

// KeyPrefix returns the environment's S3 key prefix for invocation logs.
func (e Environment) KeyPrefix() string {
	if e.LogKeyPrefix == "" {
		return DefaultLogKeyPrefix
	}
	return e.LogKeyPrefix
}

// TerminationProtected reports whether the environment's stacks get termination protection.
func (e Environment) TerminationProtected() bool {
	if e.TerminationProtection != nil {
		return *e.TerminationProtection
	}
	return true
}

// Parse decodes a configuration from JSON, rejecting unknown keys, and validates it. The error
// lists every problem found, one per line.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("configuration is not valid JSON: %s (see README \"Configuration\")", strings.TrimPrefix(err.Error(), "json: "))
		}
		// A wrong type or an unknown key: the decoder still fills every other field, so the
		// rest of the configuration is validated too and every problem is reported together.
		problem := fmt.Sprintf("%s (see README \"Configuration\")", strings.TrimPrefix(err.Error(), "json: "))
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			problem = fmt.Sprintf("%s: a JSON %s where a %s is expected (see README \"Configuration\")", typeErr.Field, typeErr.Value, jsonKind(typeErr.Type.Kind().String()))
		}
		if verr, ok := AsValidationError(c.Validate()); ok {
			return nil, &ValidationError{Problems: append([]string{problem}, verr.Problems...)}
		}
		return nil, &ValidationError{Problems: []string{problem}}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// FromContext builds the configuration from the raw CDK context values: the object under
// ContextKey, or the file named by FileContextKey. When neither is set it returns the built-in
// example and example=true.
func FromContext(inline any, file any) (c *Config, example bool, err error) {
	if path, ok := file.(string); ok && path != "" {
		if inline != nil {
			return nil, false, fmt.Errorf("set either the %q context object or %q, not both", ContextKey, FileContextKey)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, false, fmt.Errorf("%s: cannot read configuration file: %w", FileContextKey, err)
		}
		c, err := Parse(data)
		return c, false, err
	}
	if inline == nil {
		c := Example()
		return c, true, c.Validate()
	}
	if s, ok := inline.(string); ok { // `-c bedrockgov='{...}'` arrives as a string
		c, err := Parse([]byte(s))
		return c, false, err
	}
	data, err := json.Marshal(inline)
	if err != nil {
		return nil, false, fmt.Errorf("%s: cannot read context value: %w", ContextKey, err)
	}
	c, err = Parse(data)
	return c, false, err
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid configuration (%d problem(s)):\n  - %s", len(e.Problems), strings.Join(e.Problems, "\n  - "))
}

// AsValidationError returns the ValidationError inside err, if any.
func AsValidationError(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}

// jsonKind names a Go kind the way the JSON configuration does.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "int", "int64", "float64":
		return "number"
	case "bool", "ptr":
		return "boolean"
	case "slice":
		return "list"
	default:
		return "object"
	}
}
