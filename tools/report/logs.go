package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// fromLogs reads invocation logs from S3 or a local directory.
func (e *env) fromLogs(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	opt := usage.Options{Prices: prices, TagKey: o.tagKey, Start: o.from, End: o.to}
	dates := usage.DateRangeFor(o.from, o.to)
	var src usage.Source
	workers := o.workers
	if rest, ok := strings.CutPrefix(o.logs, "s3://"); ok {
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, badFlag("--logs %q: no bucket; want s3://bucket/prefix", o.logs)
		}
		cfg, err := e.awsConfig(ctx, o, "--logs "+o.logs)
		if err != nil {
			return nil, err
		}
		s3c := s3.NewFromConfig(cfg, func(so *s3.Options) {
			// A custom endpoint (a test server, MinIO, LocalStack) usually needs path-style.
			if os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != "" {
				so.UsePathStyle = true
			}
		})
		src = usage.S3Source{Client: s3c, Bucket: bucket, Prefix: prefix, Dates: dates}
		if workers == 0 {
			workers = 16
		}
		if o.resolveProfiles {
			opt.Resolve = newResolver(ctx, cfg, stderr)
		}
	} else {
		fi, err := os.Stat(o.logs)
		if err != nil {
			return nil, badFlag("--logs %q: %v; want s3://bucket/prefix or an existing directory", o.logs, errUnwrapPath(err))
		}
		if !fi.IsDir() {
			return nil, badFlag("--logs %q is a file, not a log tree; give the directory that holds AWSLogs/ (or any directory of *.json.gz files)", o.logs)
		}
		src = usage.LocalSource{Root: o.logs, Dates: dates}
		if o.resolveProfiles {
			cfg, err := e.awsConfig(ctx, o, "--resolve-profiles")
			if err != nil {
				return nil, err
			}
			opt.Resolve = newResolver(ctx, cfg, stderr)
		}
	}
	res, err := usage.Read(ctx, src, usage.NewConfig(opt), usage.ReadOptions{
		Workers: workers,
		OnUnreadable: func(name string, err error) {
			fmt.Fprintf(stderr, "report: unreadable object %s: %v\n", name, err)
		},
	})
	if err != nil {
		return nil, err
	}
	rep := usage.BuildReport(res.Aggregator, "logs "+o.logs, o.from, o.to)
	rep.UnreadableObjects = int64(len(res.Unreadable))
	rep.UnreadableObjectNames = append(rep.UnreadableObjectNames, res.Unreadable...)
	rep.Objects, rep.Bytes = res.Objects, res.Bytes
	if !o.quiet {
		secs := res.Elapsed.Seconds()
		fmt.Fprintf(stderr, "report: %d records (%d skipped lines, %d unreadable objects) from %d objects, %.1f MB compressed / %.1f MB of JSON in %.2fs (%.0f records/s, %.0f MB/s of JSON)\n",
			rep.Records, rep.SkippedLines, rep.UnreadableObjects, res.Objects, float64(res.Bytes)/1e6, float64(res.LineBytes)/1e6, secs,
			float64(rep.Records+rep.SkippedLines+rep.OutOfRangeRecords)/secs, float64(res.LineBytes)/1e6/secs)
	}
	return rep, nil
}

func errUnwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
