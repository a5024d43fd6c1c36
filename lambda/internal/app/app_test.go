package app

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

func TestMain(m *testing.M) { mototest.Main(m) }

// createSecret stores value in moto's Secrets Manager and returns its ARN.
func createSecret(t *testing.T, srv *mototest.Server, value string) string {
	t.Helper()
	sm := secretsmanager.NewFromConfig(srv.Config())
	out, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(mototest.Name(t)), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ARN)
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestNew_ReadsHeadersFromSecretsManager: the headers secret is read through
// the real Secrets Manager API (moto) and merged into the exporter's headers.
func TestNew_ReadsHeadersFromSecretsManager(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t) // the SDK's default chain finds moto and test credentials
	tests := map[string]struct {
		secret  string
		want    map[string]string
		wantErr string
	}{
		"JSON object": {secret: `{"api-key":"s3cr3t","x-team":"edge"}`, want: map[string]string{"api-key": "s3cr3t", "x-team": "edge", "from-env": "1"}},
		"pairs":       {secret: "api-key=s3cr3t", want: map[string]string{"api-key": "s3cr3t", "from-env": "1"}},
		"not headers": {secret: "s3cr3t", wantErr: "headers secret entry 1 has no '=': use name=value pairs"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			arn := createSecret(t, srv, tc.secret)
			deps, err := New(context.Background(), Options{Lookup: lookup(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
				"OTEL_EXPORTER_OTLP_HEADERS":  "from-env=1",
				"ELB_OTEL_HEADERS_SECRET_ARN": arn,
				"AWS_ENDPOINT_URL":            srv.URL,
			})})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), arn) {
					t.Fatalf("err = %v, want it to name the secret and say %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("the error leaks the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := deps.Exporter.Config().Headers
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("header %s = %q, want %q (all: %d headers)", k, got[k], v, len(got))
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("%d headers, want %d", len(got), len(tc.want))
			}
		})
	}
}

func TestNew_MissingSecretFailsAtStart(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:does-not-exist-AbCdEf"
	_, err := New(context.Background(), Options{Lookup: lookup(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
		"ELB_OTEL_HEADERS_SECRET_ARN": arn,
	})})
	if err == nil || !strings.Contains(err.Error(), "read OTLP headers secret "+arn) {
		t.Fatalf("err = %v, want a start-up error naming the secret", err)
	}
}

// Every problem is named, by the variable the user set (BATCH_SIZE is the
// alias of ELB_OTEL_BATCH_RECORDS).
func TestNew_ReportsEveryConfigurationProblem(t *testing.T) {
	_, err := New(context.Background(), Options{Lookup: lookup(map[string]string{
		"ELB_OTEL_DELETE_OBJECTS": "maybe",
		"BATCH_SIZE":              "-3",
	})})
	if err == nil || !strings.Contains(err.Error(), "ELB_OTEL_DELETE_OBJECTS must be true or false") ||
		!strings.Contains(err.Error(), "BATCH_SIZE must be a positive whole number") {
		t.Fatalf("err = %v, want both problems named", err)
	}
}

// TestNew_FlagEndpointKeepsOtherProblems: a CLI flag that supplies the
// endpoint silences only the missing-endpoint complaint.
func TestNew_FlagEndpointKeepsOtherProblems(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	_, err := New(context.Background(), Options{
		Lookup:   lookup(map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}),
		Exporter: func(c *otlpexport.Config) { c.Endpoint = "http://127.0.0.1:4318/v1/logs" },
	})
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_TIMEOUT") || strings.Contains(err.Error(), "no OTLP endpoint") {
		t.Fatalf("err = %v, want only the timeout problem", err)
	}
}
