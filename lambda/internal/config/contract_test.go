package config_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/config"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// lookupMap is os.LookupEnv over env.
func lookupMap(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// The environment the log shipper construct renders (written by
// constructs/logshipper's TestLogShipper_RenderedEnvironment from a synthesized
// template) decodes, through the function's own readers, to what was set on
// the construct: resource attribute values with spaces, "+", "%", "=" and ","
// arrive unchanged.
func TestFromEnv_DecodesTheConstructsEnvironment(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../../internal/contract/testdata/logshipper-env.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	s, err := config.FromEnv(lookupMap(env))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	wantAttrs := map[string]string{"deployment.environment": "prod eu", "team": "a+b %41 c=d,e", "owner": "zoë/ops"}
	if !reflect.DeepEqual(s.ResourceAttributes, wantAttrs) {
		t.Errorf("resource attributes = %q, want %q", s.ResourceAttributes, wantAttrs)
	}
	if s.ServiceName != "edge" || !s.DeleteObjects || s.Prefix != "alb/AWSLogs/" || s.MaxInFlight != 8 ||
		s.HeadersSecretARN != "arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf" {
		t.Errorf("settings = %+v", s)
	}
	cfg, err := otlpexport.ConfigFromEnv(lookupMap(env))
	if err != nil {
		t.Fatalf("ConfigFromEnv: %v", err)
	}
	if cfg.Endpoint != "https://otlp.example.com:4318/v1/logs" || cfg.Protocol != otlpexport.ProtocolHTTPJSON || cfg.Compression != "none" {
		t.Errorf("exporter config = %s", cfg)
	}
}

// Every setting of contract.FunctionEnv survives Encode and the function's
// readers.
func TestFunctionEnv_RoundTrip(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{"deployment.environment": "prod eu", "team": "a+b %41 c=d,e"}
	enc, err := contract.EncodeResourceAttributes(attrs)
	if err != nil {
		t.Fatal(err)
	}
	in := contract.FunctionEnv{
		Endpoint: "http://collector.internal:4318", Protocol: "http/json", Compression: "gzip", GzipLevel: 9, MaxInFlight: 12, ServiceName: "edge",
		ResourceAttributes: enc, HeadersSecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:h",
		QueueURL: "https://sqs.eu-west-1.amazonaws.com/1/q", Bucket: "logs", Prefix: "alb/AWSLogs/", DeleteObjects: true,
	}
	env := in.Encode()
	s, err := config.FromEnv(lookupMap(env))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Settings{
		ServiceName: "edge", ResourceAttributes: attrs, HeadersSecretARN: in.HeadersSecretARN, QueueURL: in.QueueURL,
		DeleteObjects: true, Bucket: "logs", Prefix: "alb/AWSLogs/", MaxInFlight: 12,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("FromEnv = %+v\nwant %+v", s, want)
	}
	cfg, err := otlpexport.ConfigFromEnv(lookupMap(env))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != "http://collector.internal:4318/v1/logs" || cfg.Protocol != otlpexport.ProtocolHTTPJSON || cfg.Compression != "gzip" || cfg.GzipLevel != 9 {
		t.Errorf("ConfigFromEnv = %s", cfg)
	}
}
