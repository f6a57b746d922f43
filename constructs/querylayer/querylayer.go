// Package querylayer provides the hub's Athena query layer over the invocation-log archive of
// one region: a Glue database and table with partition projection (no crawler, no partitions
// to maintain), an Athena workgroup that enforces its settings (encrypted results with expiry,
// engine version 3, a per-query bytes-scanned cutoff) and named queries.
//
// The table's columns come from tools/hubschema, which tools/report --athena also reads.
package querylayer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsathena"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/keys"
	"github.com/bedrockgov/bedrockgov/tools/hubschema"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// ProjectionStart is the first day the dt partition projection covers (Bedrock model
// invocation logging did not exist before).
const ProjectionStart = "2023/01/01"

// EngineVersion is the Athena engine the workgroup enforces.
const EngineVersion = "Athena engine version 3"

// QueryLayerProps configures QueryLayer. ArchiveBucket and Regions are required.
type QueryLayerProps struct {
	// ArchiveBucket holds the invocation logs in the member layout. Required.
	ArchiveBucket awss3.IBucket
	// KeyPrefix is the key prefix of the layout (no leading or trailing slash). Default:
	// naming.DefaultKeyPrefix.
	KeyPrefix *string
	// Regions are the values of the region partition (the regions whose logs the archive
	// holds). Required.
	Regions []string
	// Accounts are the member accounts the named queries name in their account filter (the
	// injected partition needs them). Default: none; the named queries then take the account
	// as a parameter.
	Accounts []string
	// BytesScannedCutoffMB cancels a query of the workgroup that scans more megabytes (at
	// least 10). Default: 10240 (10 GB).
	BytesScannedCutoffMB int
	// ResultsExpiration deletes query results this long after they are written. Default: 30
	// days.
	ResultsExpiration awscdk.Duration
	// DatabaseName, TableName, WorkgroupName. Default: naming.GlueDatabase, naming.GlueTable,
	// naming.AthenaWorkgroup (the names tools/report --athena uses by default).
	DatabaseName, TableName, WorkgroupName *string
	// RemovalPolicy of the results bucket and its key. Default: RETAIN_ON_UPDATE_OR_DELETE.
	RemovalPolicy awscdk.RemovalPolicy
}

// QueryLayer is the Glue table, Athena workgroup and named queries.
type QueryLayer interface {
	constructs.IConstruct
	DatabaseName() string
	TableName() string
	WorkgroupName() string
	// Workgroup is the Athena workgroup resource.
	Workgroup() awsathena.CfnWorkGroup
	// ResultsBucket receives query results.
	ResultsBucket() awss3.IBucket
	// ResultsKey encrypts ResultsBucket.
	ResultsKey() awskms.IKey
	// Queries are the SQL texts of the named queries, by name.
	Queries() map[string]string
}

type queryLayer struct {
	constructs.Construct
	db, table, wg string
	workgroup     awsathena.CfnWorkGroup
	results       awss3.IBucket
	key           awskms.IKey
	queries       map[string]string
}

func (q *queryLayer) DatabaseName() string              { return q.db }
func (q *queryLayer) TableName() string                 { return q.table }
func (q *queryLayer) WorkgroupName() string             { return q.wg }
func (q *queryLayer) Workgroup() awsathena.CfnWorkGroup { return q.workgroup }
func (q *queryLayer) ResultsBucket() awss3.IBucket      { return q.results }
func (q *queryLayer) ResultsKey() awskms.IKey           { return q.key }
func (q *queryLayer) Queries() map[string]string        { return q.queries }

// NewQueryLayer creates the Glue database and table, the workgroup and its results bucket, and
// the named queries.
func NewQueryLayer(scope constructs.Construct, id string, props *QueryLayerProps) QueryLayer {
	if props == nil || props.ArchiveBucket == nil {
		panic("querylayer: ArchiveBucket is required")
	}
	if len(props.Regions) == 0 {
		panic("querylayer: Regions is required (the values of the region partition)")
	}
	keyPrefix := naming.DefaultKeyPrefix
	if props.KeyPrefix != nil {
		keyPrefix = *props.KeyPrefix
	}
	if keyPrefix == "" || strings.HasPrefix(keyPrefix, "/") || strings.HasSuffix(keyPrefix, "/") {
		panic(fmt.Sprintf("querylayer: key prefix %q must be non-empty with no leading or trailing slash", keyPrefix))
	}
	cutoff := props.BytesScannedCutoffMB
	if cutoff == 0 {
		cutoff = 10240
	}
	if cutoff < 10 {
		panic(fmt.Sprintf("querylayer: bytes-scanned cutoff of %d MB is below Athena's minimum of 10 MB", cutoff))
	}
	expire := props.ResultsExpiration
	if expire == nil {
		expire = awscdk.Duration_Days(jsii.Number(30))
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE
	}
	db, table, wg := orDefault(props.DatabaseName, naming.GlueDatabase), orDefault(props.TableName, naming.GlueTable), orDefault(props.WorkgroupName, naming.AthenaWorkgroup)

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	account := stack.Account()
	bucketName := *props.ArchiveBucket.BucketName()

	database := awsglue.NewCfnDatabase(c, jsii.String("Database"), &awsglue.CfnDatabaseProps{
		CatalogId: account,
		DatabaseInput: &awsglue.CfnDatabase_DatabaseInputProperty{
			Name:        jsii.String(db),
			Description: jsii.String("bedrockgov: Amazon Bedrock model-invocation logs of the organization"),
		},
	})

	columns := make([]interface{}, len(hubschema.Columns))
	for i, col := range hubschema.Columns {
		columns[i] = &awsglue.CfnTable_ColumnProperty{Name: jsii.String(col.Name), Type: jsii.String(col.Type), Comment: jsii.String("log record field " + col.Field)}
	}
	partitions := make([]interface{}, len(hubschema.PartitionKeys))
	for i, k := range hubschema.PartitionKeys {
		partitions[i] = &awsglue.CfnTable_ColumnProperty{Name: jsii.String(k), Type: jsii.String("string")}
	}
	regions := append([]string(nil), props.Regions...)
	sort.Strings(regions)
	serde := map[string]*string{}
	for k, v := range hubschema.SerDeParameters {
		serde[k] = jsii.String(v)
	}
	location := "s3://" + bucketName + "/" + keyPrefix + "/AWSLogs/"
	tbl := awsglue.NewCfnTable(c, jsii.String("Table"), &awsglue.CfnTableProps{
		CatalogId:    account,
		DatabaseName: jsii.String(db),
		TableInput: &awsglue.CfnTable_TableInputProperty{
			Name:          jsii.String(table),
			Description:   jsii.String("Amazon Bedrock model-invocation log records, one row per invocation; filter with " + hubschema.NotDataObjects),
			TableType:     jsii.String("EXTERNAL_TABLE"),
			PartitionKeys: &partitions,
			Parameters: &map[string]any{
				"classification":     "json",
				"compressionType":    "gzip",
				"projection.enabled": "true",
				"projection." + hubschema.PartitionAccount + ".type":       "injected",
				"projection." + hubschema.PartitionRegion + ".type":        "enum",
				"projection." + hubschema.PartitionRegion + ".values":      strings.Join(regions, ","),
				"projection." + hubschema.PartitionDate + ".type":          "date",
				"projection." + hubschema.PartitionDate + ".format":        naming.DateFormat,
				"projection." + hubschema.PartitionDate + ".range":         ProjectionStart + ",NOW",
				"projection." + hubschema.PartitionDate + ".interval":      "1",
				"projection." + hubschema.PartitionDate + ".interval.unit": "DAYS",
				"storage.location.template":                                naming.PartitionTemplate(bucketName, keyPrefix),
			},
			StorageDescriptor: &awsglue.CfnTable_StorageDescriptorProperty{
				Columns:      &columns,
				Location:     jsii.String(location),
				InputFormat:  jsii.String(hubschema.InputFormat),
				OutputFormat: jsii.String(hubschema.OutputFormat),
				Compressed:   jsii.Bool(true),
				SerdeInfo: &awsglue.CfnTable_SerdeInfoProperty{
					SerializationLibrary: jsii.String(hubschema.SerDe),
					Parameters:           &serde,
				},
			},
		},
	})
	tbl.Node().AddDependency(database)

	key := awskms.NewKey(c, jsii.String("ResultsKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the bedrockgov Athena query results"),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		RemovalPolicy:     removal,
	})
	keys.DenyGrantsExceptForAWSResources(key)
	accessLogs := awss3.NewBucket(c, jsii.String("ResultsAccessLogsBucket"), privateBucket(removal, &awss3.BucketProps{
		Encryption: awss3.BucketEncryption_S3_MANAGED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("access-logs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(*expire.ToDays(nil) + 365)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
	}))
	results := awss3.NewBucket(c, jsii.String("ResultsBucket"), privateBucket(removal, &awss3.BucketProps{
		Encryption:       awss3.BucketEncryption_KMS,
		EncryptionKey:    key,
		BucketKeyEnabled: jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("results-expiry"),
			Expiration:                          expire,
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(1)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
	}))

	// Server access logging with the bucket-policy grant AWS recommends (not the ACL).
	results.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: accessLogs.BucketName(),
		LogFilePrefix:         jsii.String("athena-results/"),
	})
	accessLogs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("S3ServerAccessLogsPolicy"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*accessLogs.ArnForObjects(jsii.String("athena-results/*"))),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *account},
			"ArnLike":      map[string]any{"aws:SourceArn": *results.BucketArn()},
		},
	}))

	workgroup := awsathena.NewCfnWorkGroup(c, jsii.String("Workgroup"), &awsathena.CfnWorkGroupProps{
		Name:                  jsii.String(wg),
		Description:           jsii.String("bedrockgov: queries over the Amazon Bedrock invocation-log archive"),
		State:                 jsii.String("ENABLED"),
		RecursiveDeleteOption: jsii.Bool(false),
		WorkGroupConfiguration: &awsathena.CfnWorkGroup_WorkGroupConfigurationProperty{
			EnforceWorkGroupConfiguration:   jsii.Bool(true),
			PublishCloudWatchMetricsEnabled: jsii.Bool(true),
			BytesScannedCutoffPerQuery:      jsii.Number(float64(cutoff) * 1024 * 1024),
			EngineVersion:                   &awsathena.CfnWorkGroup_EngineVersionProperty{SelectedEngineVersion: jsii.String(EngineVersion)},
			ResultConfiguration: &awsathena.CfnWorkGroup_ResultConfigurationProperty{
				OutputLocation:      jsii.String("s3://" + *results.BucketName() + "/results/"),
				ExpectedBucketOwner: account,
				EncryptionConfiguration: &awsathena.CfnWorkGroup_EncryptionConfigurationProperty{
					EncryptionOption: jsii.String("SSE_KMS"),
					KmsKey:           key.KeyArn(),
				},
			},
		},
	})

	queries := NamedQueries(db, table, props.Accounts)
	named := constructs.NewConstruct(c, jsii.String("NamedQueries"))
	for _, q := range QueryCatalog {
		nq := awsathena.NewCfnNamedQuery(named, jsii.String(q.ID), &awsathena.CfnNamedQueryProps{
			Name:        jsii.String("bedrockgov: " + q.Title),
			Description: jsii.String(q.Description + " Parameters: the first and last day (" + naming.DateFormat + ", inclusive)" + accountParamNote(props.Accounts) + "."),
			Database:    jsii.String(db),
			WorkGroup:   workgroup.Ref(),
			QueryString: jsii.String(queries[q.ID]),
		})
		nq.Node().AddDependency(workgroup)
		nq.Node().AddDependency(tbl)
	}

	return &queryLayer{Construct: c, db: db, table: table, wg: wg, workgroup: workgroup, results: results, key: key, queries: queries}
}

func accountParamNote(accounts []string) string {
	if len(accounts) == 0 {
		return ", then the account ID"
	}
	return ""
}

func orDefault(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

// privateBucket adds the settings every bucket here has: versioned, no public access, ACLs
// disabled, TLS 1.2 or later only, and the removal policy.
func privateBucket(removal awscdk.RemovalPolicy, p *awss3.BucketProps) *awss3.BucketProps {
	p.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	p.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	p.EnforceSSL = jsii.Bool(true)
	p.MinimumTLSVersion = jsii.Number(1.2)
	p.Versioned = jsii.Bool(true)
	p.RemovalPolicy = removal
	return p
}
