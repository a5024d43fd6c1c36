package otlpexport

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNew_AppliesDefaults(t *testing.T) {
	t.Parallel()
	e, err := New(Config{Endpoint: "https://collector:4318/v1/logs"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got := e.Config()
	want := Config{
		Endpoint:    "https://collector:4318/v1/logs",
		Protocol:    ProtocolHTTPProtobuf,
		Compression: CompressionGzip,
		GzipLevel:   DefaultGzipLevel,
		Timeout:     10 * time.Second,
		Retry:       RetryConfig{InitialInterval: time.Second, MaxInterval: 30 * time.Second, MaxElapsed: 5 * time.Minute},
		UserAgent:   "elb-otel",
	}
	if got.String() != want.String() || got.UserAgent != want.UserAgent || got.HTTPClient != nil {
		t.Errorf("Config() = %s (UserAgent %q), want %s (UserAgent %q)", got, got.UserAgent, want, want.UserAgent)
	}
	if e.client == nil || e.client.CheckRedirect == nil {
		t.Errorf("default client not set up: %+v", e.client)
	}
}

func TestNew_KeepsTheCallersClient(t *testing.T) {
	t.Parallel()
	c := &http.Client{Timeout: time.Minute}
	e, err := New(Config{Endpoint: "http://localhost:4318/v1/logs", HTTPClient: c})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if e.client.Timeout != time.Minute || e.client.CheckRedirect == nil {
		t.Errorf("client = %+v, want the caller's with a redirect policy", e.client)
	}
	if c.CheckRedirect != nil {
		t.Errorf("New modified the caller's client")
	}
}

func TestNew_RejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	const ep = "https://collector:4318/v1/logs"
	tests := map[string]struct {
		cfg  Config
		want []string
	}{
		"no endpoint":        {cfg: Config{}, want: []string{"Endpoint is required", "https://otlp.example.com:4318"}},
		"not a URL":          {cfg: Config{Endpoint: "http://[::1"}, want: []string{"Endpoint " + "must be an http(s) URL with a host such as https://otlp.example.com:4318, got \"http://[::1\""}},
		"no scheme":          {cfg: Config{Endpoint: "collector:4318/v1/logs"}, want: []string{"must be an http(s) URL with a host such as https://otlp.example.com:4318"}},
		"grpc scheme":        {cfg: Config{Endpoint: "grpc://collector:4317"}, want: []string{"must be an http(s) URL with a host such as https://otlp.example.com:4318", `"grpc://collector:4317"`}},
		"no host":            {cfg: Config{Endpoint: "http:///v1/logs"}, want: []string{"must be an http(s) URL with a host such as https://otlp.example.com:4318", `got "http:///v1/logs"`}},
		"credentials hidden": {cfg: Config{Endpoint: "ftp://me:hunter2@host/x"}, want: []string{"must be an http(s) URL with a host such as https://otlp.example.com:4318"}},
		"grpc protocol":      {cfg: Config{Endpoint: ep, Protocol: "grpc"}, want: []string{"grpc is not supported", "http/protobuf", "4318"}},
		"unknown protocol":   {cfg: Config{Endpoint: ep, Protocol: "http/xml"}, want: []string{`Protocol must be "http/protobuf" or "http/json", got "http/xml"`}},
		"compression":        {cfg: Config{Endpoint: ep, Compression: "br"}, want: []string{`Compression must be "gzip", "zstd" or "none", got "br"`}},
		"gzip level":         {cfg: Config{Endpoint: ep, GzipLevel: 10}, want: []string{"GzipLevel must be between 1 (fastest) and 9 (smallest), got 10"}},
		"negative level":     {cfg: Config{Endpoint: ep, GzipLevel: -1}, want: []string{"GzipLevel must be between 1 (fastest) and 9 (smallest), got -1"}},
		"header name":        {cfg: Config{Endpoint: ep, Headers: map[string]string{"api key": "hunter2"}}, want: []string{`header 1 (in name order) has a name that is not a valid HTTP header name (not shown: it may hold a secret)`}},
		"header value":       {cfg: Config{Endpoint: ep, Headers: map[string]string{"api-key": "hunter2\r\nX-Evil: 1"}}, want: []string{`Headers["api-key"]`, "line break"}},
		"negative timeout":   {cfg: Config{Endpoint: ep, Timeout: -time.Second}, want: []string{"Timeout must not be negative, got -1s"}},
		"negative retry":     {cfg: Config{Endpoint: ep, Retry: RetryConfig{MaxElapsed: -1}}, want: []string{"Retry.MaxElapsed must not be negative"}},
		"initial above max": {
			cfg:  Config{Endpoint: ep, Retry: RetryConfig{InitialInterval: time.Minute, MaxInterval: time.Second}},
			want: []string{"Retry.InitialInterval (1m0s) must not exceed Retry.MaxInterval (1s)"},
		},
		"user agent":    {cfg: Config{Endpoint: ep, UserAgent: "a\nb"}, want: []string{"UserAgent contains a line break"}},
		"every problem": {cfg: Config{Compression: "br", Timeout: -1}, want: []string{"Endpoint is required", "Compression must be", "Timeout must not be negative"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tc.cfg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			msg := err.Error()
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q contains a secret", msg)
			}
		})
	}
}

func TestConfig_StringAndLogValueHideHeaderValues(t *testing.T) {
	t.Parallel()
	cfg := Config{
		Endpoint: "https://user:pw-secret@collector:4318/v1/logs?key=qs-secret",
		Headers:  map[string]string{"api-key": "hdr-secret", "x-tenant": "tenant-secret"},
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("exporter", "config", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v %+v", cfg, cfg), sb.String()} {
		for _, secret := range []string{"pw-secret", "qs-secret", "hdr-secret", "tenant-secret"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q contains %q", s, secret)
			}
		}
		if !strings.Contains(s, "api-key") || !strings.Contains(s, "https://collector:4318/v1/logs") {
			t.Errorf("%q does not show the header names and the endpoint", s)
		}
	}
}
