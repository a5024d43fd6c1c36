package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// These tests call run as main does, against real parts: moto_server as S3
// and SQS, and the loopback OTLP receiver. The tests that point the AWS SDK
// at moto set its environment variables with t.Setenv, so they are not
// parallel; the parallel ones read no AWS service.

func TestMain(m *testing.M) { mototest.Main(m) }

var logStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// cli runs the command line args and returns the exit code and outputs.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// logFile is a generated log, as a local file or an S3 object.
type logFile struct {
	path   string // local file
	key    string // S3 key
	lines  []string
	data   []byte // as stored: gzip unless the kind is CLB
	bucket string // the bucket, for an S3 object
}

// generate makes n lines of kind under a realistic S3 key with prefix.
func generate(kind loggen.Kind, seed uint64, n int, prefix string) logFile {
	g := loggen.New(kind, seed, logStart)
	f := logFile{key: g.Key(prefix, int(seed))}
	var plain bytes.Buffer
	for range n {
		line := g.Line()
		f.lines = append(f.lines, line)
		plain.WriteString(line + "\n")
	}
	f.data = plain.Bytes()
	if strings.HasSuffix(f.key, ".gz") {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(f.data) //nolint:errcheck // writes to memory
		zw.Close()       //nolint:errcheck
		f.data = zb.Bytes()
	}
	return f
}

// writeFile writes f under dir with the base name of its key.
func writeFile(t *testing.T, dir string, f logFile) logFile {
	t.Helper()
	f.path = filepath.Join(dir, filepath.Base(f.key))
	if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func putObject(t *testing.T, client *s3.Client, bucket string, f logFile) logFile {
	t.Helper()
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(f.key), Body: bytes.NewReader(f.data)})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, f.key, err)
	}
	f.bucket = bucket
	return f
}

func receiver(t *testing.T) *otlptest.Receiver {
	t.Helper()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// checkDelivered checks that recs hold every line of files exactly once,
// each with a log.record.uid of its own and its file's key (and bucket) as
// resource, and nothing else.
func checkDelivered(t *testing.T, recs []otlptest.Record, files ...logFile) {
	t.Helper()
	want := make([]otlptest.Expected, len(files))
	for i, f := range files {
		key := f.key
		if f.path != "" {
			key = filepath.Base(f.path)
		}
		res := map[string]any{"aws.s3.key": key}
		if f.bucket != "" {
			res["aws.s3.bucket"] = f.bucket
		}
		want[i] = otlptest.Expected{Name: f.key, Lines: f.lines, Resource: res}
	}
	for _, p := range otlptest.CheckExactlyOnce(recs, want...) {
		t.Error(p)
	}
}

func TestRun_ExitCodes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		args       []string
		want       int
		wantStdout string
		wantStderr string
	}{
		"no command":              {want: 2, wantStderr: "Usage:"},
		"help":                    {args: []string{"help"}, want: 0, wantStdout: "Usage:"},
		"--help":                  {args: []string{"--help"}, want: 0, wantStdout: "Usage:"},
		"-h":                      {args: []string{"-h"}, want: 0, wantStdout: "Usage:"},
		"unknown command":         {args: []string{"frobnicate"}, want: 2, wantStderr: `unknown command "frobnicate"`},
		"convert --help":          {args: []string{"convert", "--help"}, want: 0, wantStderr: "Usage: elb-otel convert"},
		"ship --help":             {args: []string{"ship", "--help"}, want: 0, wantStderr: "Usage: elb-otel ship"},
		"consume --help":          {args: []string{"consume", "--help"}, want: 0, wantStderr: "Usage: elb-otel consume"},
		"convert -h":              {args: []string{"convert", "-h"}, want: 0, wantStderr: "Usage: elb-otel convert"},
		"convert without files":   {args: []string{"convert"}, want: 2, wantStderr: "Usage: elb-otel convert"},
		"ship without targets":    {args: []string{"ship", "--endpoint", "http://127.0.0.1:1"}, want: 2, wantStderr: "Usage: elb-otel ship"},
		"convert unknown flag":    {args: []string{"convert", "--frobnicate", "x.log"}, want: 2, wantStderr: "flag provided but not defined: -frobnicate"},
		"ship unknown flag":       {args: []string{"ship", "--frobnicate", "x.log"}, want: 2, wantStderr: "flag provided but not defined: -frobnicate"},
		"consume unknown flag":    {args: []string{"consume", "--frobnicate"}, want: 2, wantStderr: "flag provided but not defined: -frobnicate"},
		"consume bad max":         {args: []string{"consume", "--queue-url", "http://localhost:1/q", "--max-messages", "11"}, want: 2, wantStderr: "--max-messages 1-10"},
		"convert --key two files": {args: []string{"convert", "--key", "k.log", "a.log", "b.log"}, want: 2, wantStderr: "--key names one object"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantStdout, stdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, stderr)
			}
		})
	}
}

func TestRun_ConsumeNeedsAQueue(t *testing.T) {
	t.Setenv("ELB_OTEL_QUEUE_URL", "")
	code, _, stderr := cli(t, "consume", "--endpoint", "http://127.0.0.1:1")
	if code != 2 || !strings.Contains(stderr, "--queue-url (or $ELB_OTEL_QUEUE_URL) is required") {
		t.Errorf("exit code %d, want 2 with a message naming --queue-url; stderr:\n%s", code, stderr)
	}
}
