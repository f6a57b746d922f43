package usage

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Record is the part of one model invocation log record that the report needs.
// The byte slices point into the parsed line or into the Parser's scratch space
// and are valid only until the next call to Parse.
type Record struct {
	Timestamp time.Time
	AccountID []byte
	Operation []byte
	ModelID   []byte
	CallerARN []byte // identity.arn as logged
	ErrorCode []byte
	HasError  bool   // errorCode present and not empty
	Tag       []byte // requestMetadata[TagKey]
	HasTag    bool
	// Region is where the request was made; InferenceRegion, when logged,
	// where a cross-region inference profile ran it.
	Region          []byte
	InferenceRegion []byte

	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
}

// ErrMalformed is returned by Parse for a line that is not a usable log record.
var ErrMalformed = errors.New("malformed record")

// maxDepth is encoding/json's nesting limit; a body nested deeper is rejected.
const maxDepth = 10000

// maxTokens bounds a token count so that sums and costs cannot overflow int64.
const maxTokens = 1_000_000_000_000_000

// Parser extracts a Record from one JSON line. It decodes only the fields the
// report reads and skips everything else (request and response bodies) without
// allocating. A Parser is not safe for concurrent use.
//
// A line is malformed when it is not a single JSON object, when modelId is
// missing or not a string, when timestamp is missing or not RFC 3339, or when a
// field the report reads has the wrong type (a token count must be a
// non-negative integer; null counts as absent). The parser checks the JSON
// structure of the line around the values it skips. Of a skipped object or
// array (a request or response body) it checks that its strings end and its
// brackets balance, nested no deeper than encoding/json allows (skip.go); of
// a skipped string it does not check escape sequences or control characters.
// For a line that is valid JSON it reads exactly what encoding/json reads
// (FuzzParse).
type Parser struct {
	// TagKey selects the requestMetadata key reported as Record.Tag; empty
	// means requestMetadata is not read.
	TagKey string

	scratch []byte
	s       scanner
}

type scanner struct {
	b []byte
	i int
	// masks of the line's blocks maskBase.. (skip.go), computed as needed
	masks    []blockMask
	maskBase int
}

// Parse fills r from line. It returns ErrMalformed for a line that is not a
// usable record.
func (p *Parser) Parse(line []byte, r *Record) error {
	*r = Record{}
	p.scratch = p.scratch[:0]
	s := &p.s
	s.b, s.i, s.masks = line, 0, s.masks[:0]
	var ts []byte
	var haveTS bool
	s.ws()
	if !s.eat('{') {
		return ErrMalformed
	}
	s.ws()
	if s.eat('}') {
		return ErrMalformed // no modelId
	}
	for {
		key, ok := p.key()
		if !ok {
			return ErrMalformed
		}
		var v []byte
		var null bool
		switch string(key) {
		case "timestamp":
			if v, null, ok = p.str(); !ok {
				return ErrMalformed
			}
			ts, haveTS = v, !null
		case "accountId":
			if r.AccountID, _, ok = p.str(); !ok {
				return ErrMalformed
			}
		case "operation":
			if r.Operation, _, ok = p.str(); !ok {
				return ErrMalformed
			}
		case "region":
			if r.Region, _, ok = p.str(); !ok {
				return ErrMalformed
			}
		case "inferenceRegion":
			if r.InferenceRegion, _, ok = p.str(); !ok {
				return ErrMalformed
			}
		case "modelId":
			if r.ModelID, null, ok = p.str(); !ok {
				return ErrMalformed
			}
			if null {
				r.ModelID = nil
			}
		case "errorCode":
			if r.ErrorCode, _, ok = p.str(); !ok {
				return ErrMalformed
			}
			r.HasError = len(r.ErrorCode) > 0
		case "identity":
			r.CallerARN = nil
			if !p.object(func(k []byte) bool {
				if string(k) == "arn" {
					r.CallerARN, _, ok = p.str()
					return ok
				}
				return s.skip()
			}) {
				return ErrMalformed
			}
		case "requestMetadata":
			if p.TagKey == "" {
				if !s.skip() {
					return ErrMalformed
				}
				break
			}
			r.Tag, r.HasTag = nil, false
			if !p.object(func(k []byte) bool {
				if string(k) == p.TagKey {
					r.Tag, null, ok = p.str()
					r.HasTag = !null
					return ok
				}
				return s.skip()
			}) {
				return ErrMalformed
			}
		case "input":
			r.InputTokens, r.CacheReadTokens, r.CacheWriteTokens = 0, 0, 0
			if !p.object(func(k []byte) bool {
				switch string(k) {
				case "inputTokenCount":
					r.InputTokens, ok = s.count()
				case "cacheReadInputTokenCount":
					r.CacheReadTokens, ok = s.count()
				case "cacheWriteInputTokenCount":
					r.CacheWriteTokens, ok = s.count()
				default:
					ok = s.skip()
				}
				return ok
			}) {
				return ErrMalformed
			}
		case "output":
			r.OutputTokens = 0
			if !p.object(func(k []byte) bool {
				if string(k) == "outputTokenCount" {
					r.OutputTokens, ok = s.count()
					return ok
				}
				return s.skip()
			}) {
				return ErrMalformed
			}
		default:
			if !s.skip() {
				return ErrMalformed
			}
		}
		s.ws()
		if s.eat(',') {
			s.ws()
			continue
		}
		if s.eat('}') {
			break
		}
		return ErrMalformed
	}
	s.ws()
	if s.i != len(s.b) || len(r.ModelID) == 0 || !haveTS {
		return ErrMalformed
	}
	t, err := time.Parse(time.RFC3339Nano, unsafe.String(unsafe.SliceData(ts), len(ts)))
	if err != nil {
		return ErrMalformed
	}
	r.Timestamp = t
	return nil
}

// key reads an object key and the colon after it.
func (p *Parser) key() ([]byte, bool) {
	s := &p.s
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	// Keys are compared with known ASCII names: only escapes need decoding (an
	// invalid UTF-8 key cannot equal a known name either way).
	raw, esc, _, ok := s.str()
	if !ok {
		return nil, false
	}
	k := raw
	if esc {
		if k, ok = p.unescape(raw); !ok {
			return nil, false
		}
	}
	s.ws()
	if !s.eat(':') {
		return nil, false
	}
	s.ws()
	return k, true
}

// str reads a string or null value.
func (p *Parser) str() (v []byte, null bool, ok bool) {
	s := &p.s
	if s.i < len(s.b) && s.b[s.i] == 'n' {
		return nil, true, s.lit("null")
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	v, ok = p.strValue()
	if v == nil {
		v = []byte{}
	}
	return v, false, ok
}

// strValue reads a string at s.i and returns its decoded contents.
func (p *Parser) strValue() ([]byte, bool) {
	s := &p.s
	raw, esc, ascii, ok := s.str()
	if !ok {
		return nil, false
	}
	if ascii || !esc && utf8.Valid(raw) {
		return raw, true
	}
	return p.unescape(raw)
}

// unescape decodes the raw contents of a string (escapes, invalid UTF-8)
// exactly as encoding/json does. It is the rare path.
func (p *Parser) unescape(raw []byte) ([]byte, bool) {
	s := &p.s
	var out string
	if err := json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &out); err != nil {
		return nil, false
	}
	start := len(p.scratch)
	p.scratch = append(p.scratch, out...)
	return p.scratch[start:len(p.scratch):len(p.scratch)], true
}

// object reads an object or null, calling field for each key with the scanner
// positioned at the value.
func (p *Parser) object(field func(k []byte) bool) bool {
	s := &p.s
	if s.i < len(s.b) && s.b[s.i] == 'n' {
		return s.lit("null")
	}
	if !s.eat('{') {
		return false
	}
	s.ws()
	if s.eat('}') {
		return true
	}
	for {
		k, ok := p.key()
		if !ok || !field(k) {
			return false
		}
		s.ws()
		if s.eat(',') {
			s.ws()
			continue
		}
		return s.eat('}')
	}
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) lit(l string) bool {
	if len(s.b)-s.i >= len(l) && string(s.b[s.i:s.i+len(l)]) == l {
		s.i += len(l)
		return true
	}
	return false
}

// str scans a string starting at the opening quote and returns the raw bytes
// between the quotes, whether they contain a backslash, and whether they are
// known to be ASCII.
func (s *scanner) str() (raw []byte, esc, ascii, ok bool) {
	s.i++
	start := s.i
	if end, ascii, found := s.quoteAfter(start); found {
		s.i = end + 1
		return s.b[start:end], false, ascii, true
	}
	// a backslash comes first: step over each escape, searching for the next
	// quote again only once an escape has passed it (linear in the string)
	q := -1
	for {
		if q < s.i {
			j := bytes.IndexByte(s.b[s.i:], '"')
			if j < 0 {
				return nil, false, false, false
			}
			q = s.i + j
		}
		k := bytes.IndexByte(s.b[s.i:q], '\\')
		if k < 0 {
			s.i = q + 1
			return s.b[start:q], esc, false, true
		}
		esc = true
		s.i += k + 2
		if s.i > len(s.b) {
			return nil, false, false, false
		}
	}
}

// count reads a token count: a non-negative integer or null.
func (s *scanner) count() (int64, bool) {
	if s.i < len(s.b) && s.b[s.i] == 'n' {
		return 0, s.lit("null")
	}
	start := s.i
	var n int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int64(s.b[s.i]-'0')
		s.i++
		if n > maxTokens {
			return 0, false
		}
	}
	digits := s.i - start
	if digits == 0 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return 0, false // fraction, exponent or junk
		}
	}
	return n, true
}

// skip skips one JSON value: a scalar is checked against JSON's grammar; an
// object or array (a request or response body) is skipped by skipContainer.
func (s *scanner) skip() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; c {
	case '{', '[':
		return s.skipContainer()
	case '"':
		_, _, _, ok := s.str()
		return ok
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		return s.number()
	}
}

// number skips a JSON number, checking its grammar.
func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	s.i = i
	return true
}
