package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// ship s3://... reads a bucket someone else may need: it deletes nothing,
// whatever deletion variables the shell happens to hold, unless --delete
// says so.
func TestShip_DeletesOnlyWithTheFlag(t *testing.T) {
	tests := map[string]struct {
		env        map[string]string
		flags      []string
		wantDelete bool
	}{
		"no setting":                       {},
		"DELETE_PROCESSED_FILES in shell":  {env: map[string]string{"DELETE_PROCESSED_FILES": "true"}},
		"ELB_OTEL_DELETE_OBJECTS in shell": {env: map[string]string{"ELB_OTEL_DELETE_OBJECTS": "true"}},
		"--delete":                         {flags: []string{"--delete"}, wantDelete: true},
	}
	srv := mototest.Shared(t)
	srv.Env(t)
	client := srv.S3()
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			bucket := srv.Bucket(t, client)
			f := putObject(t, client, bucket, generate(loggen.ALB, 7, 20, "elb/"))
			rcv := receiver(t)
			args := append([]string{"ship", "--endpoint", rcv.URL, "--quiet"}, tc.flags...)
			code, _, stderr := cli(t, append(args, "s3://"+bucket+"/elb/")...)
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			checkDelivered(t, rcv.Records(), f)
			_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.key)})
			if deleted := err != nil; deleted != tc.wantDelete {
				t.Errorf("object deleted = %v (%v), want %v", deleted, err, tc.wantDelete)
			}
		})
	}
	_, _, usage := cli(t, "ship", "--help")
	if !strings.Contains(usage, "-delete") || !strings.Contains(usage, "never deletes") {
		t.Errorf("ship's usage does not say when it deletes:\n%s", usage)
	}
}

// --endpoint takes the base URL, as OTEL_EXPORTER_OTLP_ENDPOINT does, or the
// full logs URL ending in /v1/logs; an export that fails names the URL.
func TestShip_EndpointForms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := writeFile(t, dir, generate(loggen.ALB, 3, 20, ""))
	rcv := receiver(t)
	for _, endpoint := range []string{rcv.URL, rcv.URL + "/", rcv.URL + "/v1/logs", rcv.URL + "/v1/logs/"} {
		before := len(rcv.Records())
		code, _, stderr := cli(t, "ship", "--endpoint", endpoint, "--quiet", f.path)
		if code != 0 {
			t.Fatalf("--endpoint %s: exit code %d; stderr:\n%s", endpoint, code, stderr)
		}
		if got := len(rcv.Records()) - before; got != len(f.lines) {
			t.Errorf("--endpoint %s: %d records arrived, want %d", endpoint, got, len(f.lines))
		}
	}
	// The receiver answers 404 anywhere but /v1/logs.
	code, _, stderr := cli(t, "ship", "--endpoint", rcv.URL+"/otlp", "--quiet", f.path)
	if want := rcv.URL + "/otlp/v1/logs"; code == 0 || !strings.Contains(stderr, want) {
		t.Errorf("a failing endpoint: exit code %d, stderr does not name %s:\n%s", code, want, stderr)
	}
}
