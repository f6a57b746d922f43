package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

func (e *env) fromInsights(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	return nil, errors.New("todo")
}
func write(w io.Writer, format string, r *usage.Report, top int) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
