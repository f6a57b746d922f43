package usage

import (
	"context"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client that S3Source uses.
type S3API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Source lists log objects in a bucket laid out as Bedrock delivers them:
// [prefix/]AWSLogs/<acct>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/.
// With a bounded Dates range it lists only the date prefixes in the range
// (after discovering accounts and regions with delimiter listings); otherwise
// everything under the prefix. data/ objects and the permission-check object
// are skipped.
type S3Source struct {
	Client S3API
	Bucket string
	Prefix string
	Dates  DateRange
	// OnList, if set, is called with the prefix of every listing (for tests
	// and --verbose).
	OnList func(prefix, delimiter string)
}

var (
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	keyDateRe = regexp.MustCompile(`BedrockModelInvocationLogs/[^/]+/([0-9]{4})/([0-9]{2})/([0-9]{2})/`)
)

// List implements Source.
func (s S3Source) List(ctx context.Context, fn func(Object) error) error {
	p := strings.TrimPrefix(s.Prefix, "/")
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	bounded := !s.Dates.From.IsZero() && !s.Dates.To.IsZero()
	if !bounded {
		return s.listAll(ctx, p, fn)
	}
	roots, err := s.regionRoots(ctx, p, 0)
	if err != nil {
		return err
	}
	for _, root := range roots {
		if strings.HasSuffix(root, "\x00") { // deeper than a region: list it whole
			if err := s.listAll(ctx, strings.TrimSuffix(root, "\x00"), fn); err != nil {
				return err
			}
			continue
		}
		for _, d := range s.Dates.Days() {
			if err := s.listAll(ctx, root+d.Format("2006/01/02/"), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// regionRoots finds the .../BedrockModelInvocationLogs/<region>/ prefixes at
// or below p. A prefix already below a region is returned with a trailing NUL.
func (s S3Source) regionRoots(ctx context.Context, p string, depth int) ([]string, error) {
	const marker = "BedrockModelInvocationLogs/"
	if i := strings.Index(p, marker); i >= 0 && (i == 0 || p[i-1] == '/') {
		rest := p[i+len(marker):]
		switch strings.Count(rest, "/") {
		case 0: // at BedrockModelInvocationLogs/: children are regions
			return s.children(ctx, p, func(string) bool { return true })
		case 1:
			return []string{p}, nil
		default:
			return []string{p + "\x00"}, nil
		}
	}
	if depth > 4 {
		return nil, nil
	}
	kids, err := s.children(ctx, p, func(name string) bool {
		return name == "AWSLogs" || name == "BedrockModelInvocationLogs" || accountRe.MatchString(name)
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range kids {
		r, err := s.regionRoots(ctx, k, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	return out, nil
}

func (s S3Source) children(ctx context.Context, p string, keep func(name string) bool) ([]string, error) {
	if s.OnList != nil {
		s.OnList(p, "/")
	}
	var out []string
	pg := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(p), Delimiter: aws.String("/")})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.Bucket, p, err)
		}
		for _, cp := range page.CommonPrefixes {
			full := aws.ToString(cp.Prefix)
			name := strings.TrimSuffix(strings.TrimPrefix(full, p), "/")
			if keep(name) {
				out = append(out, full)
			}
		}
	}
	return out, nil
}

func (s S3Source) listAll(ctx context.Context, p string, fn func(Object) error) error {
	if s.OnList != nil {
		s.OnList(p, "")
	}
	pg := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(p)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", s.Bucket, p, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			rel := strings.TrimPrefix(key, p)
			if !IsLogName(key) || InDataDir(path.Dir(rel)) {
				continue
			}
			if m := keyDateRe.FindStringSubmatch(key); m != nil {
				var y, mo, d int
				fmt.Sscanf(m[1]+" "+m[2]+" "+m[3], "%d %d %d", &y, &mo, &d)
				if !s.Dates.Contains(y, mo, d) {
					continue
				}
			}
			bucket := s.Bucket
			if err := fn(Object{Name: "s3://" + bucket + "/" + key, Size: aws.ToInt64(o.Size), Open: func(ctx context.Context) (io.ReadCloser, error) {
				out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
				if err != nil {
					return nil, err
				}
				return out.Body, nil
			}}); err != nil {
				return err
			}
		}
	}
	return nil
}
