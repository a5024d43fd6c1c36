package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/config"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env     map[string]string
		want    config.Settings
		wantErr string
	}{
		"defaults": {
			env:  map[string]string{},
			want: config.Settings{ServiceName: "elb"},
		},
		"every variable": {
			env: map[string]string{
				"OTEL_SERVICE_NAME": "edge", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,team=a%2Cb",
				"ELB_OTEL_HEADERS_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:x", "ELB_OTEL_QUEUE_URL": "https://q",
				"ELB_OTEL_DELETE_OBJECTS": "TRUE", "ELB_OTEL_BUCKET": "logs", "ELB_OTEL_PREFIX": "AWSLogs/",
				"ELB_OTEL_BATCH_RECORDS": "500", "ELB_OTEL_BATCH_BYTES": "1048576", "ELB_OTEL_MAX_IN_FLIGHT": "8",
			},
			want: config.Settings{
				ServiceName: "edge", ResourceAttributes: map[string]string{"deployment.environment": "prod", "team": "a,b"},
				HeadersSecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:x", QueueURL: "https://q", DeleteObjects: true,
				Bucket: "logs", Prefix: "AWSLogs/", BatchRecords: 500, BatchBytes: 1048576, MaxInFlight: 8,
			},
		},
		"guide aliases": {
			env:  map[string]string{"DELETE_PROCESSED_FILES": "true", "S3_BUCKET_NAME": "old", "S3_PREFIX": "p/", "BATCH_SIZE": "100"},
			want: config.Settings{ServiceName: "elb", DeleteObjects: true, Bucket: "old", Prefix: "p/", BatchRecords: 100},
		},
		"resource attribute that is not UTF-8": {
			env:     map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "team=%FF"},
			wantErr: `OTEL_RESOURCE_ATTRIBUTES: "team=%FF" decodes to bytes that are not UTF-8 (example: deployment.environment=prod,team=edge)`,
		},
		"new names win over aliases": {
			env:  map[string]string{"ELB_OTEL_BUCKET": "new", "S3_BUCKET_NAME": "old"},
			want: config.Settings{ServiceName: "elb", Bucket: "new"},
		},
		"in flight out of range": {
			env:     map[string]string{"ELB_OTEL_MAX_IN_FLIGHT": "100"},
			wantErr: "ELB_OTEL_MAX_IN_FLIGHT must be between 1 and 64, got 100",
		},
		"every error at once": {
			env: map[string]string{"ELB_OTEL_DELETE_OBJECTS": "maybe", "BATCH_SIZE": "-1", "ELB_OTEL_HEADERS_SECRET_ARN": "my-secret", "OTEL_RESOURCE_ATTRIBUTES": "novalue", "ELB_OTEL_MAX_IN_FLIGHT": "many"},
			wantErr: `OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value (example: deployment.environment=prod,team=edge)
ELB_OTEL_HEADERS_SECRET_ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:...), got "my-secret"
ELB_OTEL_DELETE_OBJECTS must be true or false, got "maybe"
BATCH_SIZE must be a positive whole number such as 1000, got "-1"
ELB_OTEL_MAX_IN_FLIGHT must be a whole number such as 8, got "many"`,
		},
		"metric stream prefix, logs anywhere": {
			env:  map[string]string{"ELB_OTEL_METRICS_PREFIX": "elb-otel/metric-stream/"},
			want: config.Settings{ServiceName: "elb", MetricsPrefix: "elb-otel/metric-stream/"},
		},
		"metric stream prefix inside the log prefix": {
			env:     map[string]string{"ELB_OTEL_METRICS_PREFIX": "AWSLogs/metrics/", "ELB_OTEL_PREFIX": "AWSLogs/"},
			wantErr: `ELB_OTEL_METRICS_PREFIX "AWSLogs/metrics/" overlaps ELB_OTEL_PREFIX "AWSLogs/": the metric stream needs a prefix of its own (example: elb-otel/metric-stream/)`,
		},
		"log prefix inside the metric stream prefix": {
			env:     map[string]string{"ELB_OTEL_METRICS_PREFIX": "elb/", "ELB_OTEL_PREFIX": "elb/logs/"},
			wantErr: `ELB_OTEL_METRICS_PREFIX "elb/" overlaps ELB_OTEL_PREFIX "elb/logs/": the metric stream needs a prefix of its own (example: elb-otel/metric-stream/)`,
		},
		"rejected records: succeed": {
			env:  map[string]string{"ELB_OTEL_ON_REJECTED": "succeed"},
			want: config.Settings{ServiceName: "elb", RejectedSucceed: true},
		},
		"rejected records: an unknown choice": {
			env:     map[string]string{"ELB_OTEL_ON_REJECTED": "drop"},
			wantErr: `ELB_OTEL_ON_REJECTED must be "fail" (the default: the message fails into the dead-letter queue, the lines stay recoverable) or "succeed" (acknowledge it; the RejectedRecords alarm fires), got "drop"`,
		},
		"an alias's error names the alias": {
			env: map[string]string{"DELETE_PROCESSED_FILES": "maybe", "BATCH_SIZE": "0", "ELB_OTEL_BATCH_BYTES": "x"},
			wantErr: `DELETE_PROCESSED_FILES must be true or false, got "maybe"
BATCH_SIZE must be a positive whole number such as 1000, got "0"
ELB_OTEL_BATCH_BYTES must be a positive whole number such as 1048576, got "x"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := config.FromEnv(lookup(tc.env))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err =\n%v\nwant\n%s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		"json":      {in: `{"api-key":"s3cr3t","x-team":"edge"}`, want: map[string]string{"api-key": "s3cr3t", "x-team": "edge"}},
		"pairs":     {in: "api-key=s3cr3t, authorization=Bearer%20abc", want: map[string]string{"api-key": "s3cr3t", "authorization": "Bearer abc"}},
		"bad json":  {in: `{"api-key":1}`, wantErr: `headers secret member 1: the value must be a JSON string`},
		"bad pairs": {in: "s3cr3t", wantErr: "headers secret entry 1 has no '=': use name=value pairs"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := config.ParseHeaders(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error leaks the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
