package otlpexport

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	const base = "https://collector:4318"
	tests := map[string]struct {
		env  map[string]string
		want Config
	}{
		"base endpoint": {
			env:  map[string]string{EnvEndpoint: base},
			want: Config{Endpoint: base + "/v1/logs"},
		},
		"base endpoint with trailing slash": {
			env:  map[string]string{EnvEndpoint: base + "/"},
			want: Config{Endpoint: base + "/v1/logs"},
		},
		"base endpoint with a path": {
			env:  map[string]string{EnvEndpoint: base + "/otlp/"},
			want: Config{Endpoint: base + "/otlp/v1/logs"},
		},
		"base endpoint with query": {
			env:  map[string]string{EnvEndpoint: base + "?tenant=a"},
			want: Config{Endpoint: base + "/v1/logs?tenant=a"},
		},
		"logs endpoint used as-is": {
			env:  map[string]string{EnvLogsEndpoint: base + "/custom/ingest/"},
			want: Config{Endpoint: base + "/custom/ingest/"},
		},
		"logs endpoint wins": {
			env:  map[string]string{EnvLogsEndpoint: "http://logs:4318/v1/logs", EnvEndpoint: base, EnvAliasEndpoint: "http://alias:4318"},
			want: Config{Endpoint: "http://logs:4318/v1/logs"},
		},
		"OTEL_EXPORTER_OTLP_ENDPOINT wins over alias": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasEndpoint: "http://alias:4318"},
			want: Config{Endpoint: base + "/v1/logs"},
		},
		"alias endpoint": {
			env:  map[string]string{EnvAliasEndpoint: "http://localhost:4318"},
			want: Config{Endpoint: "http://localhost:4318/v1/logs"},
		},
		"empty values count as unset": {
			env:  map[string]string{EnvLogsEndpoint: "  ", EnvEndpoint: "", EnvAliasEndpoint: "http://alias:4318", EnvTimeout: "", EnvHeaders: " "},
			want: Config{Endpoint: "http://alias:4318/v1/logs"},
		},
		"whitespace trimmed": {
			env:  map[string]string{EnvEndpoint: "  " + base + "\n", EnvCompression: " none "},
			want: Config{Endpoint: base + "/v1/logs", Compression: "none"},
		},
		"headers": {
			env: map[string]string{EnvEndpoint: base, EnvHeaders: " api-key = abc%3D%3D ,x-tenant=acme%20corp,,authorization=Bearer a+b "},
			want: Config{Endpoint: base + "/v1/logs", Headers: map[string]string{
				"api-key": "abc==", "x-tenant": "acme corp", "authorization": "Bearer a+b",
			}},
		},
		"value with =": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "api-key=a=b"},
			want: Config{Endpoint: base + "/v1/logs", Headers: map[string]string{"api-key": "a=b"}},
		},
		"logs headers win wholesale": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsHeaders: "a=1", EnvHeaders: "b=2", EnvAliasHeaders: `{"c":"3"}`},
			want: Config{Endpoint: base + "/v1/logs", Headers: map[string]string{"a": "1"}},
		},
		"OTEL_EXPORTER_OTLP_HEADERS wins over alias": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "b=2", EnvAliasHeaders: `{"c":"3"}`},
			want: Config{Endpoint: base + "/v1/logs", Headers: map[string]string{"b": "2"}},
		},
		"alias headers JSON": {
			env:  map[string]string{EnvAliasEndpoint: base, EnvAliasHeaders: `{"X-Api-Key": "k%20ey", "x-scope": "logs"}`},
			want: Config{Endpoint: base + "/v1/logs", Headers: map[string]string{"X-Api-Key": "k%20ey", "x-scope": "logs"}},
		},
		"compression": {
			env:  map[string]string{EnvEndpoint: base, EnvCompression: "GZIP"},
			want: Config{Endpoint: base + "/v1/logs", Compression: "gzip"},
		},
		"logs compression wins": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsCompression: "none", EnvCompression: "gzip"},
			want: Config{Endpoint: base + "/v1/logs", Compression: "none"},
		},
		"zstd": {
			env:  map[string]string{EnvEndpoint: base, EnvCompression: "zstd"},
			want: Config{Endpoint: base + "/v1/logs", Compression: "zstd"},
		},
		"gzip level": {
			env:  map[string]string{EnvEndpoint: base, EnvGzipLevel: " 9 "},
			want: Config{Endpoint: base + "/v1/logs", GzipLevel: 9},
		},
		"timeout milliseconds": {
			env:  map[string]string{EnvEndpoint: base, EnvTimeout: "2500"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 2500 * time.Millisecond},
		},
		"logs timeout wins": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsTimeout: "700", EnvTimeout: "2500", EnvAliasTimeout: "9"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 700 * time.Millisecond},
		},
		"OTEL_EXPORTER_OTLP_TIMEOUT wins over alias": {
			env:  map[string]string{EnvEndpoint: base, EnvTimeout: "2500", EnvAliasTimeout: "9"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 2500 * time.Millisecond},
		},
		"timeout of one day, the longest": {
			env:  map[string]string{EnvEndpoint: base, EnvTimeout: "86400000"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 24 * time.Hour},
		},
		"alias timeout of one day, the longest": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "86400"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 24 * time.Hour},
		},
		"base endpoint with an escaped slash in its path": {
			env:  map[string]string{EnvEndpoint: base + "/tenant%2Fa/"},
			want: Config{Endpoint: base + "/tenant%2Fa/v1/logs"},
		},
		"alias timeout seconds": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "2.5"},
			want: Config{Endpoint: base + "/v1/logs", Timeout: 2500 * time.Millisecond},
		},
		"protocol json": {
			env:  map[string]string{EnvEndpoint: base, EnvProtocol: "http/json"},
			want: Config{Endpoint: base + "/v1/logs", Protocol: ProtocolHTTPJSON},
		},
		"logs protocol wins": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsProtocol: "http/protobuf", EnvProtocol: "grpc"},
			want: Config{Endpoint: base + "/v1/logs", Protocol: ProtocolHTTPProtobuf},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ConfigFromEnv(lookupFrom(tc.env))
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			if got.Endpoint != tc.want.Endpoint || got.Protocol != tc.want.Protocol || got.Compression != tc.want.Compression ||
				got.GzipLevel != tc.want.GzipLevel || got.Timeout != tc.want.Timeout || !maps.Equal(got.Headers, tc.want.Headers) {
				t.Errorf("ConfigFromEnv =\n%+v %v\nwant\n%+v %v", got, got.Headers, tc.want, tc.want.Headers)
			}
			if _, err := New(got); err != nil {
				t.Errorf("New(ConfigFromEnv()): %v", err)
			}
		})
	}
}

func TestConfigFromEnv_Errors(t *testing.T) {
	t.Parallel()
	const base = "https://collector:4318"
	tests := map[string]struct {
		env  map[string]string
		want []string
	}{
		"no endpoint": {
			env:  map[string]string{EnvHeaders: "a=b"},
			want: []string{"no OTLP endpoint configured", EnvEndpoint, EnvLogsEndpoint},
		},
		"logs endpoint not http": {
			env:  map[string]string{EnvLogsEndpoint: "collector:4317"},
			want: []string{EnvLogsEndpoint + " must be an http(s) URL with a host such as https://otlp.example.com:4318"},
		},
		"base endpoint not a URL": {
			env:  map[string]string{EnvEndpoint: "http://[::1"},
			want: []string{EnvEndpoint + " must be an http(s) URL with a host such as https://otlp.example.com:4318", `got "http://[::1"`},
		},
		"alias endpoint has no host": {
			env:  map[string]string{EnvAliasEndpoint: "http://"},
			want: []string{EnvAliasEndpoint + " must be an http(s) URL with a host"},
		},
		"base endpoint already ends in /v1/logs": {
			env:  map[string]string{EnvEndpoint: base + "/v1/logs/"},
			want: []string{EnvEndpoint + " is a base URL", "drop /v1/logs", EnvLogsEndpoint},
		},
		"header without =": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "a=1,hunter2"},
			want: []string{EnvHeaders + " entry 2 has no '='", "api-key=secret,x-tenant=acme"},
		},
		"header with empty name": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsHeaders: "=hunter2"},
			want: []string{EnvLogsHeaders + " entry 1: the header name is empty or not a valid HTTP header name"},
		},
		"header with bad name": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "Bearer hunter2=x"},
			want: []string{EnvHeaders + " entry 1: the header name is empty or not a valid"},
		},
		"header with bad escape": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "api-key=hunter2%zz"},
			want: []string{EnvHeaders + ` entry 1: the value has a malformed %-escape`},
		},
		"header value with newline": {
			env:  map[string]string{EnvEndpoint: base, EnvHeaders: "api-key=hunter2%0D%0Ax-evil:1"},
			want: []string{EnvHeaders + ` entry 1: the value contains a line break`},
		},
		"alias headers not JSON": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: "api-key=hunter2"},
			want: []string{EnvAliasHeaders + " must be a JSON object", `{"api-key":"secret"}`},
		},
		"alias headers JSON array": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: `["hunter2"]`},
			want: []string{EnvAliasHeaders + " must be a JSON object"},
		},
		"alias headers JSON null": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: `null`},
			want: []string{EnvAliasHeaders + " must be a JSON object"},
		},
		"alias header value not a string": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: `{"api-key": 12345}`},
			want: []string{EnvAliasHeaders + ` member 1: the value must be a JSON string`},
		},
		"alias header bad name": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: `{"api key": "hunter2"}`},
			want: []string{EnvAliasHeaders + ` member 1: the header name is empty or not a valid HTTP header name (not shown: it may hold a secret)`},
		},
		"alias header value with newline": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasHeaders: `{"api-key": "hunter2\nx"}`},
			want: []string{EnvAliasHeaders + ` member 1: the value contains a line break`},
		},
		"compression": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsCompression: "br"},
			want: []string{EnvLogsCompression + ` must be "gzip", "zstd"`, `got "br"`, EnvLogsCompression + "=gzip"},
		},
		"gzip level out of range": {
			env:  map[string]string{EnvEndpoint: base, EnvGzipLevel: "10"},
			want: []string{EnvGzipLevel + " must be between 1 (fastest) and 9 (smallest), got 10", EnvGzipLevel + "=6"},
		},
		"gzip level not a number": {
			env:  map[string]string{EnvEndpoint: base, EnvGzipLevel: "best"},
			want: []string{EnvGzipLevel + ` must be a whole number from 1 (fastest) to 9 (smallest), got "best"`},
		},
		"timeout not a number": {
			env:  map[string]string{EnvEndpoint: base, EnvTimeout: "10s"},
			want: []string{EnvTimeout + ` must be a positive whole number of milliseconds, got "10s"`, EnvTimeout + "=10000"},
		},
		"timeout zero": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsTimeout: "0"},
			want: []string{EnvLogsTimeout + " must be a positive whole number of milliseconds"},
		},
		"alias timeout not a number": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "five"},
			want: []string{EnvAliasTimeout + ` must be a positive number of seconds, got "five"`, EnvAliasTimeout + "=5"},
		},
		"alias timeout negative": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "-1"},
			want: []string{EnvAliasTimeout + " must be a positive number of seconds"},
		},
		"alias timeout zero": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "0"},
			want: []string{EnvAliasTimeout + " must be a positive number of seconds"},
		},
		"timeout over a day": {
			env:  map[string]string{EnvEndpoint: base, EnvTimeout: "86400001"},
			want: []string{EnvTimeout + " must be a positive whole number of milliseconds"},
		},
		"alias timeout over a day": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "86400.5"},
			want: []string{EnvAliasTimeout + " must be a positive number of seconds"},
		},
		"alias timeout NaN": {
			env:  map[string]string{EnvEndpoint: base, EnvAliasTimeout: "NaN"},
			want: []string{EnvAliasTimeout + " must be a positive number of seconds"},
		},
		"grpc": {
			env:  map[string]string{EnvEndpoint: base, EnvProtocol: "grpc"},
			want: []string{EnvProtocol + "=grpc is not supported by this shipper", EnvProtocol + "=http/protobuf", "4318"},
		},
		"unknown protocol": {
			env:  map[string]string{EnvEndpoint: base, EnvLogsProtocol: "http/thrift"},
			want: []string{EnvLogsProtocol + ` must be http/protobuf or http/json, got "http/thrift"`},
		},
		"every problem at once": {
			env:  map[string]string{EnvCompression: "br", EnvTimeout: "x", EnvProtocol: "grpc"},
			want: []string{"no OTLP endpoint", EnvCompression, EnvTimeout, EnvProtocol},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ConfigFromEnv(lookupFrom(tc.env))
			if err == nil {
				t.Fatal("ConfigFromEnv succeeded, want an error")
			}
			hasEndpoint := false
			for _, k := range []string{EnvLogsEndpoint, EnvEndpoint, EnvAliasEndpoint} {
				if _, ok := tc.env[k]; ok {
					hasEndpoint = true
				}
			}
			if got := errors.Is(err, ErrNoEndpoint); got == hasEndpoint {
				t.Errorf("errors.Is(err, ErrNoEndpoint) = %v, want %v", got, !hasEndpoint)
			}
			msg := err.Error()
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q contains a header value", msg)
			}
		})
	}
}
