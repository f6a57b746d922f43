package usage

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The AVX2 masks equal the portable ones for every byte value at every
// position of a block.
func TestBlockMasksMatch(t *testing.T) {
	if !hasAVX2 {
		t.Skip("this CPU has no AVX2: only the portable masks are used")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	buf := make([]byte, 64*40)
	for i := range buf {
		switch i / 640 {
		case 0: // every byte value
			buf[i] = byte(i)
		case 1: // JSON's special bytes, densely
			buf[i] = `"\{}[]:, a`[rng.IntN(10)]
		default:
			buf[i] = byte(rng.Uint32())
		}
	}
	want := make([]blockMask, len(buf)/64)
	got := make([]blockMask, len(buf)/64)
	blockMasksGeneric(buf, want)
	blockMasks(buf, got)
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("block %d: AVX2 %+v, portable %+v", k, got[k], want[k])
		}
	}
}

// randomJSON returns a random JSON value whose strings are full of the bytes
// the skipper looks for: quotes, backslashes, brackets, and non-ASCII text.
func randomJSON(rng *rand.Rand, depth int) any {
	k := rng.IntN(10)
	if depth > 6 {
		k = 5 + rng.IntN(5)
	}
	switch {
	case k < 2:
		m := map[string]any{}
		for range rng.IntN(6) {
			m[randomText(rng)] = randomJSON(rng, depth+1)
		}
		return m
	case k < 4:
		a := make([]any, rng.IntN(8))
		for i := range a {
			a[i] = randomJSON(rng, depth+1)
		}
		return a
	case k < 7:
		return randomText(rng)
	case k < 8:
		return rng.NormFloat64() * 1e6
	case k < 9:
		return rng.IntN(2) == 0
	default:
		return nil
	}
}

func randomText(rng *rand.Rand) string {
	pieces := []string{`"`, `\`, `\\`, `\"`, `{`, `}`, `[`, `]`, `:`, `,`, "é", "日本", "\n", "\t", " ", "text"}
	var b strings.Builder
	for range rng.IntN(12) {
		if rng.IntN(4) == 0 {
			b.WriteString(strings.Repeat("x", rng.IntN(200)))
		}
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// Long records, whose bodies cross many 64-byte blocks and 4 KiB mask chunks,
// parse exactly as encoding/json reads them, with AVX2 and without; so do
// their truncations and byte flips (accepted only when still valid JSON with
// the same fields, or when invalid JSON the report may be lenient about).
func TestParserLongLinesAgreeWithEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var lines [][]byte
	for i := range 300 {
		in, _ := json.Marshal(randomJSON(rng, 0))
		out, _ := json.Marshal([]any{randomJSON(rng, 0), randomJSON(rng, 0), randomJSON(rng, 0)})
		pad := strings.Repeat(`\"`, rng.IntN(64)) + strings.Repeat("y", rng.IntN(9000))
		line := fmt.Sprintf(`{"requestId":"%s","input":{"inputBodyJson":%s,"inputTokenCount":%d},"timestamp":"2026-11-20T10:00:00Z",`+
			`"identity":{"arn":"arn:aws:sts::111111111111:assumed-role/R/s%d"},"output":{"outputBodyJson":%s,"outputTokenCount":%d},`+
			`"modelId":"amazon.nova-micro-v1:0","requestMetadata":{"team":"t%d"}}`, pad, in, i, i, out, 2*i, i%3)
		lines = append(lines, []byte(line))
	}
	defer func(v bool) { hasAVX2 = v }(hasAVX2)
	for _, avx := range []bool{hasAVX2, false} {
		hasAVX2 = avx
		var p Parser
		p.TagKey = "team"
		var r Record
		for i, line := range lines {
			if err := p.Parse(line, &r); err != nil || r.InputTokens != int64(i) || r.OutputTokens != int64(2*i) {
				t.Fatalf("AVX2 %v: line %d: err %v, tokens %d/%d", avx, i, err, r.InputTokens, r.OutputTokens)
			}
			checkParse(t, line, "team")
			for range 5 {
				checkParse(t, line[:rng.IntN(len(line))], "team")
				mut := append([]byte(nil), line...)
				mut[rng.IntN(len(mut))] = `"\{}[],: x`[rng.IntN(10)]
				checkParse(t, mut, "team")
			}
		}
	}
}

// Edge cases a generator rarely makes: a string of escapes long enough that a
// rescan per escape would take minutes, and bodies nested around
// encoding/json's depth limit (over it, the line is rejected).
func TestParserEscapesAndDepth(t *testing.T) {
	esc := `{"timestamp":"2026-11-20T10:00:00Z","modelId":"m","requestId":"` + strings.Repeat(`\n`, 1<<20) + `","input":{"inputTokenCount":3}}`
	var p Parser
	var r Record
	if err := p.Parse([]byte(esc), &r); err != nil || r.InputTokens != 3 {
		t.Fatalf("a string of 2^20 escapes: err %v, input tokens %d", err, r.InputTokens)
	}
	for _, d := range []int{1, 63, 64, 65, 9990, 10001, 10100} {
		line := `{"timestamp":"2026-11-20T10:00:00Z","modelId":"m","input":{"inputBodyJson":` +
			strings.Repeat("[", d) + strings.Repeat("]", d) + `,"inputTokenCount":1}}`
		checkParse(t, []byte(line), "")
		if err := p.Parse([]byte(line), &r); (err == nil) != json.Valid([]byte(line)) {
			t.Errorf("body nested %d deep: parse error %v, valid JSON %v", d, err, json.Valid([]byte(line)))
		}
	}
}
