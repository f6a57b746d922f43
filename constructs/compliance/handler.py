# AWS Config custom rule (periodic): is Amazon Bedrock model-invocation logging on in this
# account and region, delivering where the bedrockgov baseline expects? Inline Lambda code.
import json

import boto3

# Rule input parameter -> (section of loggingConfig, field, what it is).
FIELDS = (
    ("bucketName", "s3Config", "bucketName", "S3 bucket"),
    ("keyPrefix", "s3Config", "keyPrefix", "S3 key prefix"),
    ("logGroupName", "cloudWatchConfig", "logGroupName", "log group"),
    ("roleArn", "cloudWatchConfig", "roleArn", "delivery role"),
)


def decide(cfg, expected):
    """Pure decision: cfg is the loggingConfig Bedrock returns (None when logging is off),
    expected maps rule parameters to values. Returns (ComplianceType, Annotation)."""
    if not cfg:
        return "NON_COMPLIANT", "model invocation logging is off in this region"
    diffs = []
    for param, section, field, what in FIELDS:
        if param not in expected:
            continue
        got = (cfg.get(section) or {}).get(field) or ""
        want = expected[param] or ""
        if got.strip("/") != want.strip("/"):
            diffs.append("%s is %s, expected %s" % (what, json.dumps(got), json.dumps(want)))
    if expected.get("textDataDeliveryEnabled") == "true" and not cfg.get("textDataDeliveryEnabled"):
        diffs.append("text data delivery is off")
    if diffs:
        note = "; ".join(diffs)
        return "NON_COMPLIANT", note if len(note) <= 256 else note[:253] + "..."
    return "COMPLIANT", "invocation logging delivers to the baseline's bucket, prefix, log group and role"


def handler(event, context, bedrock=None, config=None):
    invoking = json.loads(event["invokingEvent"])
    expected = json.loads(event.get("ruleParameters") or "{}")
    bedrock = bedrock or boto3.client("bedrock")
    config = config or boto3.client("config")
    cfg = bedrock.get_model_invocation_logging_configuration().get("loggingConfig")
    status, note = decide(cfg, expected)
    evaluation = {
        "ComplianceResourceType": "AWS::::Account",
        "ComplianceResourceId": event["accountId"],
        "ComplianceType": status,
        "Annotation": note,
        "OrderingTimestamp": invoking["notificationCreationTime"],
    }
    config.put_evaluations(Evaluations=[evaluation], ResultToken=event["resultToken"])
    return evaluation
