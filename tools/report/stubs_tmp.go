package main

import (
	"encoding/json"
	"io"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

func write(w io.Writer, format string, r *usage.Report, top int) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
