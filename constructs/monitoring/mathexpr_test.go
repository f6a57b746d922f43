package monitoring_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// evalMath evaluates the subset of CloudWatch metric math the alarms use (numbers, metric ids,
// + - * /, comparisons, AND/OR, IF(c, a, b) and FILL(m, v)) on one data point. A metric id
// missing from vals is a missing data point (NaN), which FILL replaces; arithmetic on a
// missing point stays missing, as in CloudWatch.
func evalMath(expr string, vals map[string]float64) (float64, error) {
	p := &mathParser{toks: tokenize(expr), vals: vals}
	v, err := p.expr()
	if err != nil {
		return 0, err
	}
	if p.pos != len(p.toks) {
		return 0, fmt.Errorf("unexpected %q in %s", p.toks[p.pos], expr)
	}
	return v, nil
}

func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case strings.ContainsRune("(),+-*/", c):
			out = append(out, string(c))
			i++
		case strings.ContainsRune("<>=!", c):
			if i+1 < len(s) && s[i+1] == '=' {
				out = append(out, s[i:i+2])
				i += 2
			} else {
				out = append(out, string(c))
				i++
			}
		default:
			j := i
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_' || s[j] == '.') {
				j++
			}
			if j == i {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

type mathParser struct {
	toks []string
	pos  int
	vals map[string]float64
}

func (p *mathParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *mathParser) next() string { t := p.peek(); p.pos++; return t }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// expr := or ; or := and (OR and)* ; and := cmp (AND cmp)* ; cmp := sum (op sum)? ...
func (p *mathParser) expr() (float64, error) {
	l, err := p.and()
	for err == nil && (p.peek() == "OR" || p.peek() == "||") {
		p.next()
		var r float64
		if r, err = p.and(); err == nil {
			l = b2f(l != 0 || r != 0)
		}
	}
	return l, err
}

func (p *mathParser) and() (float64, error) {
	l, err := p.cmp()
	for err == nil && (p.peek() == "AND" || p.peek() == "&&") {
		p.next()
		var r float64
		if r, err = p.cmp(); err == nil {
			l = b2f(l != 0 && r != 0)
		}
	}
	return l, err
}

func (p *mathParser) cmp() (float64, error) {
	l, err := p.sum()
	if err != nil {
		return 0, err
	}
	switch op := p.peek(); op {
	case ">", "<", ">=", "<=", "==", "!=":
		p.next()
		r, err := p.sum()
		if err != nil {
			return 0, err
		}
		return b2f(map[string]bool{">": l > r, "<": l < r, ">=": l >= r, "<=": l <= r, "==": l == r, "!=": l != r}[op]), nil
	}
	return l, nil
}

func (p *mathParser) sum() (float64, error) {
	l, err := p.product()
	for err == nil && (p.peek() == "+" || p.peek() == "-") {
		op := p.next()
		var r float64
		if r, err = p.product(); err == nil {
			if op == "+" {
				l += r
			} else {
				l -= r
			}
		}
	}
	return l, err
}

func (p *mathParser) product() (float64, error) {
	l, err := p.unary()
	for err == nil && (p.peek() == "*" || p.peek() == "/") {
		op := p.next()
		var r float64
		if r, err = p.unary(); err == nil {
			if op == "*" {
				l *= r
			} else {
				l /= r
			}
		}
	}
	return l, err
}

func (p *mathParser) unary() (float64, error) {
	if p.peek() == "-" {
		p.next()
		v, err := p.unary()
		return -v, err
	}
	return p.primary()
}

func (p *mathParser) primary() (float64, error) {
	t := p.next()
	switch {
	case t == "(":
		v, err := p.expr()
		if err == nil && p.next() != ")" {
			err = fmt.Errorf("missing )")
		}
		return v, err
	case t == "IF" || t == "FILL":
		args, err := p.args()
		if err != nil {
			return 0, err
		}
		if t == "FILL" {
			if len(args) != 2 {
				return 0, fmt.Errorf("FILL takes 2 arguments")
			}
			if math.IsNaN(args[0]) {
				return args[1], nil
			}
			return args[0], nil
		}
		if len(args) != 3 {
			return 0, fmt.Errorf("IF takes 3 arguments")
		}
		if args[0] != 0 && !math.IsNaN(args[0]) {
			return args[1], nil
		}
		return args[2], nil
	case t != "" && (unicode.IsDigit(rune(t[0])) || t[0] == '.'):
		return strconv.ParseFloat(t, 64)
	case t != "" && unicode.IsLetter(rune(t[0])):
		if v, ok := p.vals[t]; ok {
			return v, nil
		}
		return math.NaN(), nil
	}
	return 0, fmt.Errorf("unexpected %q", t)
}

func (p *mathParser) args() ([]float64, error) {
	if p.next() != "(" {
		return nil, fmt.Errorf("want (")
	}
	var out []float64
	for {
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch p.next() {
		case ",":
			continue
		case ")":
			return out, nil
		default:
			return nil, fmt.Errorf("want , or )")
		}
	}
}
