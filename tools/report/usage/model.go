package usage

import (
	"bytes"
	"strings"
)

// GeoPrefixes are the geographic prefixes of cross-region inference profile
// ids; BaseModel drops one of them.
var GeoPrefixes = []string{"us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global."}

// BaseModel returns the by_model key of a logged modelId:
//   - an ARN of a foundation model or an inference profile is reduced to the
//     id after the resource type (foundation-model/<id>, inference-profile/<id>);
//   - one leading geographic prefix (us., eu., apac., global. ...) is dropped;
//   - any other ARN (application-inference-profile, provisioned or custom
//     models) stays whole: its id is opaque. isProfile reports an
//     application-inference-profile ARN, which only the Bedrock API can resolve.
func BaseModel(modelID string) (base string, isProfile bool) {
	id := modelID
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 6)
		if len(parts) < 6 {
			return modelID, false
		}
		typ, rest, ok := strings.Cut(parts[5], "/")
		if !ok {
			return modelID, false
		}
		switch typ {
		case "foundation-model", "inference-profile":
			id = rest
		case "application-inference-profile":
			return modelID, true
		default:
			return modelID, false
		}
	}
	for _, p := range GeoPrefixes {
		if strings.HasPrefix(id, p) && len(id) > len(p) {
			return id[len(p):], false
		}
	}
	return id, false
}

// CallerKey returns the by_caller key of identity.arn: an STS assumed-role ARN
// loses its session name (arn:aws:sts::<acct>:assumed-role/<Role>); any other
// ARN is kept as it is.
func CallerKey(arn []byte) []byte {
	// arn:<partition>:sts::<acct>:assumed-role/<Role>/<session>
	const marker = ":assumed-role/"
	i := bytes.Index(arn, []byte(marker))
	if i < 0 || !bytes.HasPrefix(arn, []byte("arn:")) {
		return arn
	}
	rest := arn[i+len(marker):]
	j := bytes.IndexByte(rest, '/')
	if j < 0 {
		return arn
	}
	return arn[:i+len(marker)+j]
}
