# Custom resource that puts Amazon Bedrock's model-invocation logging configuration (one per
# account and region) on create and update, and deletes it on delete when it still points at
# this stack's destinations. Inline (CloudFormation ZipFile), so StackSets can deploy it.
import time
import boto3
import cfnresponse

TYPES = ("text", "image", "embedding", "video", "audio")


def logging_config(p):
    dest = {"bucketName": p["BucketName"], "keyPrefix": p["KeyPrefix"]}
    c = {
        "s3Config": dict(dest),
        "cloudWatchConfig": {
            "logGroupName": p["LogGroupName"],
            "roleArn": p["RoleArn"],
            "largeDataDeliveryS3Config": dict(dest),
        },
    }
    for t in TYPES:
        on = str(p.get(t, "false")).lower() == "true"
        # Video and audio are newer fields: sent only when on, so an older SDK never sees them.
        if on or t in ("text", "image", "embedding"):
            c[t + "DataDeliveryEnabled"] = on
    return c


def ours(current, p):
    s3 = current.get("s3Config") or {}
    cw = current.get("cloudWatchConfig") or {}
    return s3.get("bucketName") == p["BucketName"] or cw.get("logGroupName") == p["LogGroupName"]


def put(bedrock, cfg, sleep=time.sleep, attempts=12):
    # A role or bucket policy created moments ago may not be visible to Bedrock yet.
    for i in range(attempts):
        try:
            return bedrock.put_model_invocation_logging_configuration(loggingConfig=cfg)
        except bedrock.exceptions.ValidationException:
            if i == attempts - 1:
                raise
            sleep(min(5 * (i + 1), 20))


def handle(event, bedrock, sleep=time.sleep):
    p = event["ResourceProperties"]
    if event["RequestType"] in ("Create", "Update"):
        put(bedrock, logging_config(p), sleep)
        return "put"
    current = bedrock.get_model_invocation_logging_configuration().get("loggingConfig") or {}
    if current and ours(current, p):
        bedrock.delete_model_invocation_logging_configuration()
        return "deleted"
    return "left"


def handler(event, context):
    pid = "bedrock-invocation-logging"
    try:
        done = handle(event, boto3.client("bedrock"))
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Action": done}, pid)
    except Exception as e:
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, pid, reason=f"{type(e).__name__}: {e}"[:900])
