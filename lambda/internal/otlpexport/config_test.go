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

// TestConfig_StringNamesTheCompression: the gzip level is shown with gzip, and
// only with it.
func TestConfig_StringNamesTheCompression(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cfg  Config
		want string
	}{
		"gzip at the default level": {cfg: Config{}, want: " compression=gzip-6 "},
		"gzip level 1":              {cfg: Config{GzipLevel: 1}, want: " compression=gzip-1 "},
		"zstd":                      {cfg: Config{Compression: CompressionZstd}, want: " compression=zstd "},
		"none":                      {cfg: Config{Compression: CompressionNone, GzipLevel: 9}, want: " compression=none "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Endpoint = "https://collector:4318/v1/logs"
			e, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Config().String(); !strings.Contains(got, tc.want) {
				t.Errorf("String() = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestNew_RetryIntervalsMayBeEqual: a constant backoff (initial = max) is valid.
func TestNew_RetryIntervalsMayBeEqual(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{Endpoint: "https://collector:4318/v1/logs", Retry: RetryConfig{InitialInterval: time.Second, MaxInterval: time.Second}}); err != nil {
		t.Errorf("New: %v", err)
	}
}

// TestNewDefaultClient_Tuning: the default client keeps connections to the one
// endpoint for reuse, and closes those idle for 90 s, before load balancers and
// NAT gateways (350 s) drop them silently under it.
func TestNewDefaultClient_Tuning(t *testing.T) {
	t.Parallel()
	c := newDefaultClient()
	tr, ok := c.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport is %T, want *http.Transport", c.Transport)
	}
	if tr.IdleConnTimeout != 90*time.Second || tr.MaxIdleConnsPerHost != 16 || tr.MaxIdleConns != 64 || !tr.ForceAttemptHTTP2 {
		t.Errorf("transport: IdleConnTimeout %s, MaxIdleConnsPerHost %d, MaxIdleConns %d, ForceAttemptHTTP2 %t; want 90s, 16, 64, true",
			tr.IdleConnTimeout, tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.ForceAttemptHTTP2)
	}
	if c.CheckRedirect == nil {
		t.Error("no redirect policy")
	}
}
