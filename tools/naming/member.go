package naming

// ---- SSM parameters of the member additions (guardrail) ---------------------------------------

// GuardrailParamPrefix is the common path of the guardrail parameters the member stack publishes
// in each account and region, for applications that apply the guardrail.
const GuardrailParamPrefix = "/" + Project + "/guardrail/"

// SSM parameter names of the environment's guardrail.
const (
	// GuardrailIDParam holds the guardrail ID.
	GuardrailIDParam = GuardrailParamPrefix + "id"
	// GuardrailArnParam holds the guardrail ARN (arn:<partition>:bedrock:<region>:<account>:guardrail/<id>).
	GuardrailArnParam = GuardrailParamPrefix + "arn"
	// GuardrailVersionParam holds the numbered version applications should pass.
	GuardrailVersionParam = GuardrailParamPrefix + "version"
)

// GuardrailParams lists the guardrail parameter names in a stable order.
var GuardrailParams = []string{GuardrailIDParam, GuardrailArnParam, GuardrailVersionParam}

// GuardrailName is the name of an environment's guardrail (unique per account and region).
func GuardrailName(env string) string { return Project + "-" + env }
