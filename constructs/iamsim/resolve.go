package iamsim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Resolve replaces CloudFormation intrinsics in a policy document read from a template with
// concrete values, so the simulator sees the ARNs a deployed stack would have. values maps
// `Ref` targets (logical IDs and pseudo parameters such as "AWS::Partition", "AWS::Region",
// "AWS::AccountId", "AWS::StackId") and `Fn::GetAtt` targets written "<logicalId>.<attribute>" to strings;
// Fn::Join, Fn::Split, Fn::Select and Fn::Sub with plain ${Name} references are evaluated. An intrinsic with no value
// is an error naming it, so a simulation never runs on a half-resolved policy.
func Resolve(v any, values map[string]string) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := Resolve(e, values)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					return lookup(values, fmt.Sprint(arg))
				case "Fn::GetAtt":
					parts, _ := arg.([]any)
					if len(parts) != 2 {
						return nil, fmt.Errorf("iamsim: malformed Fn::GetAtt %v", arg)
					}
					return lookup(values, fmt.Sprintf("%v.%v", parts[0], parts[1]))
				case "Fn::Join":
					parts, _ := arg.([]any)
					if len(parts) != 2 {
						return nil, fmt.Errorf("iamsim: malformed Fn::Join %v", arg)
					}
					items, err := Resolve(parts[1], values)
					if err != nil {
						return nil, err
					}
					var b strings.Builder
					for i, it := range items.([]any) {
						if i > 0 {
							b.WriteString(fmt.Sprint(parts[0]))
						}
						b.WriteString(fmt.Sprint(it))
					}
					return b.String(), nil
				case "Fn::Split":
					parts, _ := arg.([]any)
					if len(parts) != 2 {
						return nil, fmt.Errorf("iamsim: malformed Fn::Split %v", arg)
					}
					src, err := Resolve(parts[1], values)
					if err != nil {
						return nil, err
					}
					var out []any
					for _, piece := range strings.Split(fmt.Sprint(src), fmt.Sprint(parts[0])) {
						out = append(out, piece)
					}
					return out, nil
				case "Fn::Select":
					parts, _ := arg.([]any)
					if len(parts) != 2 {
						return nil, fmt.Errorf("iamsim: malformed Fn::Select %v", arg)
					}
					list, err := Resolve(parts[1], values)
					if err != nil {
						return nil, err
					}
					items, _ := list.([]any)
					i, ok := parts[0].(float64)
					if !ok {
						n, err := strconv.Atoi(fmt.Sprint(parts[0]))
						if err != nil {
							return nil, fmt.Errorf("iamsim: malformed Fn::Select index %v", parts[0])
						}
						i = float64(n)
					}
					if int(i) < 0 || int(i) >= len(items) {
						return nil, fmt.Errorf("iamsim: Fn::Select index %v out of range of %v", i, items)
					}
					return items[int(i)], nil
				case "Fn::Sub":
					s, ok := arg.(string)
					if !ok {
						return nil, fmt.Errorf("iamsim: only Fn::Sub with a plain string is supported, got %v", arg)
					}
					var err error
					out := subRe.ReplaceAllStringFunc(s, func(m string) string {
						r, e := lookup(values, m[2:len(m)-1])
						if e != nil {
							err = e
						}
						return r
					})
					return out, err
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := Resolve(e, values)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

func lookup(values map[string]string, key string) (string, error) {
	if v, ok := values[key]; ok {
		return v, nil
	}
	return "", fmt.Errorf("iamsim: no value for %q; give it in the values map", key)
}

var subRe = regexp.MustCompile(`\$\{[^}!][^}]*\}`)
