package main

const mainHelp = `logging sets, checks and removes the Amazon Bedrock model invocation logging
configuration, in one account or across an AWS Organization.

CloudFormation has no resource for this per-account, per-region setting; this
tool writes it with the Bedrock API, reading the destinations the member
baseline stack publishes as SSM parameters (/bedrockgov/invocation-logging/*).

Usage:
  go run ./tools/logging <command> [flags]

Commands:
  status    show the configuration of every target and whether it is as expected
  enable    put the configuration (idempotent: writes nothing when it already matches)
  disable   delete the configuration (needs --yes; never touches buckets or log groups)
  policy    print the least-privilege IAM policy this tool needs
  help      this text; "help <command>" for a command's flags

Targets (status, enable, disable):
  By default, the account of the current credentials in their configured region.
  --regions us-east-1,eu-west-1           several regions
  --accounts 111111111111,222222222222     other accounts, through --role-name
  --organization [--ou ou-xxxx-yyyyyyyy]   every ACTIVE account of the organization
                                           (or of one OU and the OUs below it)

Credentials and endpoints come from the AWS SDK default chain (AWS_PROFILE,
SSO, environment, instance roles), including AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE>. Throttled calls are retried with backoff.

Exit codes:
  0  every target is done (status: logging as expected)
  1  at least one target failed (the summary says which and why), or the run
     could not start (credentials, organization listing)
  2  bad flags or input; nothing was changed
  3  status only: at least one target is not logging or has drifted
`

const targetFlagsHelp = `
Target flags:
  --regions a,b             regions (default: the region of the AWS configuration)
  --accounts id,id          12-digit account IDs (default: the caller's account)
  --organization            every ACTIVE account of the organization (run from the
                            management account or a delegated administrator)
  --ou ID                   with --organization: only this OU (ou-... or r-...) and
                            every OU below it
  --role-name NAME          role assumed in each account other than the caller's
                            (default OrganizationAccountAccessRole); the caller's own
                            account uses the caller's credentials directly
  --allow-unknown-regions   accept region names newer than the tool's list
  --concurrency N           targets worked on at once, 1-256 (default 16)
  --timeout DURATION        give up after this long, e.g. 10m (default: no limit)
  --output table|json       output format (default table); progress goes to stderr
                            only when it is a terminal
`

const destinationFlagsHelp = `
Destination flags (each one overrides the member baseline's SSM parameter):
  --bucket NAME             S3 bucket, same account and region   (/bedrockgov/invocation-logging/bucket-name)
  --key-prefix PREFIX       key prefix in the bucket             (/bedrockgov/invocation-logging/key-prefix)
  --log-group NAME          CloudWatch Logs group, same account and region; by convention
                            /aws/bedrock/modelinvocations        (/bedrockgov/invocation-logging/log-group-name)
  --role-arn ARN            role Bedrock assumes to write to the log group, same account
                                                                 (/bedrockgov/invocation-logging/role-arn)
  --large-data-bucket NAME  bucket for bodies too large for CloudWatch Logs (uses --key-prefix)
                                                                 (/bedrockgov/invocation-logging/large-data-bucket-name)
  --no-ssm                  ignore the SSM parameters; use only the flags
  --s3-only                 deliver to S3 only: drop the CloudWatch Logs destination
                            (flag or SSM parameter)
  --cloudwatch-only         deliver to CloudWatch Logs only: drop the S3 destination

How flags and SSM parameters combine: each target starts from its own SSM
parameters; a destination flag that is given replaces its parameter and must
have a value (an empty value is an error: use --s3-only or --cloudwatch-only to
turn a delivery off). A flag that serves several accounts (--organization,
--accounts a,b) or regions must be a template: {account} and {region} are
filled in per target, e.g. --bucket 'bedrock-logs-{account}-{region}' or
--role-arn 'arn:aws:iam::{account}:role/bedrock-logging'.

Data types logged (booleans; turn one off with --text=false):
  --text        (default true)     --embedding   (default true)
  --image       (default false)    --video       (default false)    --audio (default false)
`

var commandHelp = map[string]string{
	"status": `Usage: go run ./tools/logging status [flags]

Reads the model invocation logging configuration of every target and compares
it with the expected one: the destinations from the member baseline's SSM
parameters (or the destination flags) and the data types (flags, default text
and embedding). One row per account and region:
  ok           logging, exactly as expected
  drifted      logging, but some fields differ; DETAIL names each field
  not-logging  no configuration: invocations in this region are not logged
  error        the target could not be checked; DETAIL says why and how to fix it
When neither SSM parameters nor flags name destinations, only the data types
are compared (DETAIL says so).

Exit code: 0 all ok, 3 any drifted or not-logging, 1 any error, 2 bad input.
` + targetFlagsHelp + destinationFlagsHelp,

	"enable": `Usage: go run ./tools/logging enable [flags]

Puts the model invocation logging configuration on every target. For each:
  1. destinations: the member baseline's SSM parameters, overridden by flags
  2. checks formats, and that the bucket (HeadBucket with the expected owner,
     its region) and the log group exist in the target account and region
  3. reads the current configuration; when it already matches, writes nothing
     and reports "unchanged"
  4. puts the configuration, reads it back and compares (reports "enabled")
With --dry-run, steps 1-3 run and the change is shown ("would-change") but
nothing is written.

Exit code: 0 all enabled or unchanged, 1 any error, 2 bad input.

  --dry-run                 show what would change, write nothing
` + targetFlagsHelp + destinationFlagsHelp,

	"disable": `Usage: go run ./tools/logging disable --yes [flags]

Deletes the model invocation logging configuration on every target, after
which Bedrock stops logging invocations there. Refuses to run without --yes.
Never touches the buckets, log groups or logs already delivered. Targets that
have no configuration report "unchanged".

Exit code: 0 all disabled or unchanged, 1 any error, 2 bad input or no --yes.

  --yes                     confirm the deletion
  --dry-run                 show what would be deleted, delete nothing
` + targetFlagsHelp,

	"policy": `Usage: go run ./tools/logging policy [--scope all|caller|target] [--read-only] [--role-name NAME]

Prints the least-privilege IAM policy for the API calls this tool makes.
  --scope target   what the tool uses inside each target account: the role named
                   by --role-name, or the caller's credentials in its own account
  --scope caller   what the caller needs to reach other accounts: sts:AssumeRole on
                   --role-name and the Organizations list calls
  --scope all      both (default): for one principal working in its own account
                   and across the organization
  --read-only      only what status needs (read the configuration and the baseline's
                   SSM parameters): no Put, Delete or bucket and log group checks
  --role-name NAME the role assumed in member accounts (default OrganizationAccountAccessRole)
`,
}
