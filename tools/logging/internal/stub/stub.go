// Package stub is an in-process fake of the AWS endpoints tools/logging
// calls, speaking each service's real wire protocol: REST JSON (Bedrock),
// query/XML (STS), JSON 1.1 (Organizations, SSM, CloudWatch Logs) and REST
// XML (S3). Point AWS_ENDPOINT_URL at it. It serves the wire tests and the
// benchmark; it never checks signatures.
//
// Requests are attributed to an account by their access key: keys of the
// form ASIA<12 digits> (what AssumeRole hands out) belong to that account,
// any other key to CallerAccount. The Region comes from the signature scope.
//
// Every account starts with the member baseline in place: SSM parameters
// naming the bucket bedrock-logs-<account>-<region> with key prefix
// "bedrock", the log group /aws/bedrock/modelinvocations and the role
// arn:aws:iam::<account>:role/BedrockInvocationLogging; the bucket and log
// group exist. Fields of Server change that.
package stub

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
)

// Baseline values the stub publishes for an account and Region.
const (
	KeyPrefix = "bedrock"
	LogGroup  = "/aws/bedrock/modelinvocations"
	RoleName  = "BedrockInvocationLogging"
)

// Bucket is the baseline bucket of an account and Region.
func Bucket(account, region string) string { return "bedrock-logs-" + account + "-" + region }

// RoleARN is the baseline CloudWatch delivery role of an account.
func RoleARN(account string) string { return "arn:aws:iam::" + account + ":role/" + RoleName }

var bucketRe = regexp.MustCompile(`^bedrock-logs-(\d{12})-([a-z0-9-]+)$`)

// OrgAccount is an account of the fake organization.
type OrgAccount struct {
	ID    string
	State string // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED
}

// Put is one PutModelInvocationLoggingConfiguration the stub received.
type Put struct {
	Account, Region string
	Body            []byte // the request body exactly as sent
}

// Server is the fake. Set fields before serving; read results through the
// methods, which lock.
type Server struct {
	// Delay is added before every answer.
	Delay time.Duration
	// CallerAccount owns every access key that is not ASIA<account>.
	CallerAccount string
	// CallerARN is what GetCallerIdentity returns.
	CallerARN string

	// Accounts without SSM parameters (no member baseline).
	NoParams map[string]bool
	// Accounts whose role cannot be assumed (AccessDenied).
	DenyAssume map[string]bool
	// Accounts where Bedrock answers AccessDeniedException.
	DenyBedrock map[string]bool
	// Throttle holds, per operation ("bedrock:PutModelInvocationLoggingConfiguration"),
	// how many of the next calls answer with a throttling error.
	Throttle map[string]int

	// Org is the organization's account list (ListAccounts). OUAccounts and
	// OUChildren describe the OU tree for ListAccountsForParent and
	// ListOrganizationalUnitsForParent.
	Org        []OrgAccount
	OUAccounts map[string][]OrgAccount
	OUChildren map[string][]string
	// NoBucketRegionHeader leaves x-amz-bucket-region out of HeadBucket
	// answers, so clients must ask GetBucketLocation.
	NoBucketRegionHeader bool
	// OrgPageSize is how many accounts one Organizations list page holds
	// (default 2, to exercise pagination; the real service gives up to 20).
	OrgPageSize int

	mu      sync.Mutex
	configs map[string]json.RawMessage
	calls   map[string]int
	puts    []Put
}

// New returns a stub whose caller is account 999999999999.
func New() *Server {
	return &Server{
		CallerAccount: "999999999999",
		CallerARN:     "arn:aws:iam::999999999999:user/platform-admin",
		NoParams:      map[string]bool{},
		DenyAssume:    map[string]bool{},
		DenyBedrock:   map[string]bool{},
		Throttle:      map[string]int{},
		OUAccounts:    map[string][]OrgAccount{},
		OUChildren:    map[string][]string{},
		configs:       map[string]json.RawMessage{},
		calls:         map[string]int{},
	}
}

func key(account, region string) string { return account + "/" + region }

// Config returns the stored loggingConfig JSON of a target, or nil.
func (s *Server) Config(account, region string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.configs[key(account, region)]
}

// SetConfig stores a loggingConfig JSON for a target (nil deletes it), as if
// someone changed it outside the tool.
func (s *Server) SetConfig(account, region string, cfg json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cfg == nil {
		delete(s.configs, key(account, region))
		return
	}
	s.configs[key(account, region)] = cfg
}

// Calls returns how many times each operation was called, throttled and
// failed calls included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Puts returns every PutModelInvocationLoggingConfiguration received.
func (s *Server) Puts() []Put {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Put(nil), s.puts...)
}

// ResetCounters clears the call counts and recorded puts.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.puts = nil
}

// count records a call and reports whether it must be throttled.
func (s *Server) count(op string) (throttle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if s.Throttle[op] > 0 {
		s.Throttle[op]--
		return true
	}
	return false
}

var credRe = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([^/]+)/`)

// who attributes a request to an account and Region.
func (s *Server) who(r *http.Request) (account, region string) {
	m := credRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return s.CallerAccount, ""
	}
	akid, region := m[1], m[2]
	if len(akid) == 16 && strings.HasPrefix(akid, "ASIA") {
		if _, err := strconv.Atoi(akid[4:]); err == nil {
			return akid[4:], region
		}
	}
	return s.CallerAccount, region
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay):
		case <-r.Context().Done():
			return
		}
	}
	body, _ := io.ReadAll(r.Body)
	account, region := s.who(r)
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		s.json11(w, r.Header.Get("X-Amz-Target"), body, account, region)
	case r.URL.Path == "/logging/modelinvocations":
		s.bedrock(w, r, body, account, region)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		s.sts(w, body, account)
	default:
		s.s3(w, r, account)
	}
}

// --- Bedrock (REST JSON) ---

func (s *Server) bedrock(w http.ResponseWriter, r *http.Request, body []byte, account, region string) {
	op := map[string]string{
		http.MethodGet:    "GetModelInvocationLoggingConfiguration",
		http.MethodPut:    "PutModelInvocationLoggingConfiguration",
		http.MethodDelete: "DeleteModelInvocationLoggingConfiguration",
	}[r.Method]
	if op == "" {
		restError(w, 405, "ValidationException", "method not allowed")
		return
	}
	if s.count("bedrock:" + op) {
		restError(w, http.StatusTooManyRequests, "ThrottlingException", "Too many requests, please wait before trying again.")
		return
	}
	if s.DenyBedrock[account] {
		restError(w, http.StatusForbidden, "AccessDeniedException", fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/x is not authorized to perform: bedrock:%s", account, op))
		return
	}
	k := key(account, region)
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		cfg := s.configs[k]
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if cfg == nil {
			_, _ = w.Write([]byte(`{}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]json.RawMessage{"loggingConfig": cfg})
	case http.MethodPut:
		var in struct {
			LoggingConfig json.RawMessage `json:"loggingConfig"`
		}
		if err := json.Unmarshal(body, &in); err != nil || len(in.LoggingConfig) == 0 {
			restError(w, 400, "ValidationException", "loggingConfig is required")
			return
		}
		s.mu.Lock()
		s.configs[k] = in.LoggingConfig
		s.puts = append(s.puts, Put{Account: account, Region: region, Body: body})
		s.mu.Unlock()
		w.WriteHeader(200)
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.configs, k)
		s.mu.Unlock()
		w.WriteHeader(200)
	}
}

func restError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// --- JSON 1.1: SSM, CloudWatch Logs, Organizations ---

func json11Error(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(400)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func writeJSON11(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) json11(w http.ResponseWriter, tgt string, body []byte, account, region string) {
	svc, op, _ := strings.Cut(tgt, ".")
	iam := map[string]string{"AmazonSSM": "ssm", "Logs_20140328": "logs", "AWSOrganizationsV20161128": "organizations"}[svc]
	if iam == "" {
		json11Error(w, "UnknownOperationException", tgt)
		return
	}
	if s.count(iam + ":" + op) {
		json11Error(w, "ThrottlingException", "Rate exceeded")
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	switch iam + ":" + op {
	case "ssm:GetParameters":
		s.getParameters(w, in, account, region)
	case "logs:DescribeLogGroups":
		prefix, _ := in["logGroupNamePrefix"].(string)
		groups := []map[string]any{}
		if strings.HasPrefix(LogGroup, prefix) {
			groups = append(groups, map[string]any{
				"logGroupName": LogGroup,
				"arn":          fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, account, LogGroup),
			})
		}
		writeJSON11(w, map[string]any{"logGroups": groups})
	case "organizations:ListAccounts":
		page(w, in, s.Org, s.OrgPageSize)
	case "organizations:ListAccountsForParent":
		parent, _ := in["ParentId"].(string)
		page(w, in, s.OUAccounts[parent], s.OrgPageSize)
	case "organizations:ListOrganizationalUnitsForParent":
		parent, _ := in["ParentId"].(string)
		var ous []map[string]string
		for _, id := range s.OUChildren[parent] {
			ous = append(ous, map[string]string{"Id": id, "Name": id})
		}
		writeJSON11(w, map[string]any{"OrganizationalUnits": ous})
	default:
		json11Error(w, "UnknownOperationException", tgt)
	}
}

// page answers one page of an Organizations account list.
func page(w http.ResponseWriter, in map[string]any, all []OrgAccount, size int) {
	if size <= 0 {
		size = 2
	}
	start := 0
	if tok, ok := in["NextToken"].(string); ok {
		start, _ = strconv.Atoi(tok)
	}
	end := min(start+size, len(all))
	out := map[string]any{}
	var accts []map[string]string
	for _, a := range all[start:end] {
		accts = append(accts, map[string]string{"Id": a.ID, "State": a.State, "Name": "acct-" + a.ID,
			"Arn": "arn:aws:organizations::999999999999:account/o-example/" + a.ID})
	}
	out["Accounts"] = accts
	if end < len(all) {
		out["NextToken"] = strconv.Itoa(end)
	}
	writeJSON11(w, out)
}

func (s *Server) getParameters(w http.ResponseWriter, in map[string]any, account, region string) {
	values := map[string]string{}
	if !s.NoParams[account] {
		values = map[string]string{
			ssmparams.BucketName:   Bucket(account, region),
			ssmparams.KeyPrefix:    KeyPrefix,
			ssmparams.LogGroupName: LogGroup,
			ssmparams.RoleArn:      RoleARN(account),
		}
	}
	names, _ := in["Names"].([]any)
	params := []map[string]any{}
	invalid := []string{}
	for _, n := range names {
		name, _ := n.(string)
		if v, ok := values[name]; ok {
			params = append(params, map[string]any{"Name": name, "Value": v, "Type": "String", "Version": 1,
				"ARN": fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", region, account, name)})
		} else {
			invalid = append(invalid, name)
		}
	}
	writeJSON11(w, map[string]any{"Parameters": params, "InvalidParameters": invalid})
}

// --- STS (query / XML) ---

func (s *Server) sts(w http.ResponseWriter, body []byte, account string) {
	form, _ := url.ParseQuery(string(body))
	op := form.Get("Action")
	if s.count("sts:" + op) {
		stsError(w, 400, "Throttling", "Rate exceeded")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	switch op {
	case "GetCallerIdentity":
		arn := s.CallerARN
		if account != s.CallerAccount {
			arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/x/bedrockgov-logging", account)
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDEXAMPLE</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			xmlEscape(arn), account)
	case "AssumeRole":
		m := regexp.MustCompile(`^arn:[^:]+:iam::(\d{12}):role/(.+)$`).FindStringSubmatch(form.Get("RoleArn"))
		if m == nil {
			stsError(w, 400, "ValidationError", "invalid RoleArn")
			return
		}
		target := m[1]
		if s.DenyAssume[target] {
			stsError(w, 403, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", s.CallerARN, form.Get("RoleArn")))
			return
		}
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			target, exp, target, xmlEscape(m[2]), xmlEscape(form.Get("RoleSessionName")), xmlEscape(form.Get("RoleSessionName")))
	default:
		stsError(w, 400, "InvalidAction", "unknown action "+op)
	}
}

func stsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r3</RequestId></ErrorResponse>`, code, xmlEscape(msg))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// --- S3 (REST XML, path-style) ---

func (s *Server) s3(w http.ResponseWriter, r *http.Request, account string) {
	bucket, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	op := ""
	switch {
	case r.Method == http.MethodHead && rest == "":
		op = "HeadBucket"
	case r.Method == http.MethodGet && rest == "" && r.URL.Query().Has("location"):
		op = "GetBucketLocation"
	default:
		w.WriteHeader(http.StatusNotImplemented)
		return
	}
	if s.count("s3:" + op) {
		s3Error(w, r, 503, "SlowDown", "Please reduce your request rate.")
		return
	}
	m := bucketRe.FindStringSubmatch(bucket)
	if m == nil {
		s3Error(w, r, 404, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	owner, bucketRegion := m[1], m[2]
	if exp := r.Header.Get("X-Amz-Expected-Bucket-Owner"); (exp != "" && exp != owner) || account != owner {
		s3Error(w, r, 403, "AccessDenied", "Access Denied")
		return
	}
	if op == "HeadBucket" {
		if !s.NoBucketRegionHeader {
			w.Header().Set("X-Amz-Bucket-Region", bucketRegion)
		}
		w.WriteHeader(200)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	loc := bucketRegion
	if loc == "us-east-1" {
		loc = ""
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`, loc)
}

func s3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, xmlEscape(msg))
}

// Operations returns the sorted names of the operations called so far.
func (s *Server) Operations() []string {
	calls := s.Calls()
	out := make([]string, 0, len(calls))
	for k := range calls {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
