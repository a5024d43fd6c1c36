package otlpexport

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/contract"
)

// Protocol is the OTLP/HTTP payload encoding.
type Protocol string

const (
	// ProtocolHTTPProtobuf sends binary protobuf (Content-Type application/x-protobuf).
	ProtocolHTTPProtobuf Protocol = "http/protobuf"
	// ProtocolHTTPJSON sends OTLP/JSON (Content-Type application/json).
	ProtocolHTTPJSON Protocol = "http/json"
)

// Compression values accepted in [Config.Compression].
const (
	CompressionGzip = "gzip"
	CompressionNone = "none"
	// CompressionZstd is an opt-in for receivers that accept it, as the
	// OpenTelemetry Collector's OTLP/HTTP receiver does; every OTLP receiver
	// must accept gzip, so gzip stays the default.
	CompressionZstd = "zstd"
)

// Defaults applied by [New] to zero-valued fields.
const (
	DefaultTimeout         = 10 * time.Second
	DefaultInitialInterval = 1 * time.Second
	DefaultMaxInterval     = 30 * time.Second
	DefaultMaxElapsed      = 5 * time.Minute
	DefaultUserAgent       = "elb-otel"
	// DefaultGzipLevel is the gzip level of request bodies, chosen from the
	// compression table `make bench` prints (generated ALB lines, 2,239 bytes
	// of protobuf a record): level 1 sends 252 bytes a record for 6.6 µs of
	// CPU, level 2 229 for 8.3, level 6 194 for 15.1, level 9 181 for 31.6.
	// Egress and backend ingest are billed by the byte while the function's
	// CPU is cheap, and compression runs beside the wire, so the default is
	// gzip's own, 6.
	DefaultGzipLevel = 6
)

// Config configures an [Exporter]. The zero value of every field but Endpoint is
// valid and means the documented default.
type Config struct {
	// Endpoint is the full URL of the logs endpoint, used as-is,
	// e.g. https://collector:4318/v1/logs. Required.
	Endpoint string
	// MetricsEndpoint is the full URL of the metrics endpoint, used as-is,
	// e.g. https://collector:4318/v1/metrics ([Exporter.ExportMetricsProto]).
	// Default: Endpoint with its final /v1/logs made /v1/metrics; none when
	// Endpoint does not end in /v1/logs.
	MetricsEndpoint string
	// Protocol is the payload encoding. Default: http/protobuf.
	Protocol Protocol
	// Compression is "gzip", "zstd" (for receivers that accept it) or "none".
	// Default: gzip.
	Compression string
	// GzipLevel is the gzip level, from 1 (fastest) to 9 (smallest), when
	// Compression is gzip. Default: DefaultGzipLevel.
	GzipLevel int
	// Headers are extra request headers, e.g. API keys. Their values are never
	// logged nor put in errors. Default: none.
	Headers map[string]string
	// Timeout bounds each HTTP attempt (request and response body).
	// Default: 10s.
	Timeout time.Duration
	// Retry configures retries of retryable failures. Default: see [RetryConfig].
	Retry RetryConfig
	// HTTPClient sends the requests. Its Timeout should be zero (Config.Timeout
	// and the context bound each attempt); a nil CheckRedirect is replaced by one
	// that follows only 307 and 308, the redirects that keep the POST body.
	// Default: a client with keep-alive and connection pools sized for one
	// endpoint, honouring HTTPS_PROXY.
	HTTPClient *http.Client
	// UserAgent is the User-Agent request header. Default: "elb-otel".
	UserAgent string
}

// RetryConfig configures exponential backoff with full jitter: the n-th retry
// waits a random duration in [0, min(MaxInterval, InitialInterval*2^(n-1))], or
// the server's Retry-After (capped by MaxInterval) when it sent one.
type RetryConfig struct {
	// InitialInterval is the upper bound of the first wait. Default: 1s.
	InitialInterval time.Duration
	// MaxInterval caps every wait, Retry-After included. Default: 30s.
	MaxInterval time.Duration
	// MaxElapsed is the total time after which retrying stops. Retrying also
	// stops when the next wait would pass the context deadline. Default: 5m.
	MaxElapsed time.Duration
	// Disabled turns retries off: each Export makes one attempt. Default: false.
	Disabled bool
}

// String describes the config without header values, so it is safe to log.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "endpoint=%s protocol=%s compression=%s timeout=%s", redactURL(c.Endpoint), c.Protocol, c.compressionName(), c.Timeout)
	fmt.Fprintf(&b, " headers=%v", headerNames(c.Headers))
	if c.Retry.Disabled {
		b.WriteString(" retry=disabled")
	} else {
		fmt.Fprintf(&b, " retry=%s..%s/%s", c.Retry.InitialInterval, c.Retry.MaxInterval, c.Retry.MaxElapsed)
	}
	return b.String()
}

// LogValue describes the config for log/slog without header values.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("endpoint", redactURL(c.Endpoint)),
		slog.String("protocol", string(c.Protocol)),
		slog.String("compression", c.compressionName()),
		slog.Duration("timeout", c.Timeout),
		slog.Any("headers", headerNames(c.Headers)),
		slog.Bool("retry_disabled", c.Retry.Disabled),
		slog.Duration("retry_initial_interval", c.Retry.InitialInterval),
		slog.Duration("retry_max_interval", c.Retry.MaxInterval),
		slog.Duration("retry_max_elapsed", c.Retry.MaxElapsed),
	)
}

// compressionName is the compression with its level, e.g. "gzip-6".
func (c Config) compressionName() string {
	if c.Compression == CompressionGzip && c.GzipLevel != 0 {
		return fmt.Sprintf("%s-%d", c.Compression, c.GzipLevel)
	}
	return c.Compression
}

// headerNames returns the sorted header names (never the values).
func headerNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// redactURL drops user info, query and fragment, which may hold credentials.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.Host == "" {
		return u.Redacted()
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// withDefaults validates c and returns it with defaults filled in. It reports
// every problem at once.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("otlpexport: "+format, args...))
	}
	c.defaultEndpoints(add)
	c.defaultEncoding(add)
	c.checkHeaders(add)
	c.defaultTimeouts(add)
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	} else if !contract.ValidHeaderValue(c.UserAgent) {
		add("UserAgent contains a line break or control character: remove it")
	}
	return c, errors.Join(errs...)
}

// addFunc records one validation error of withDefaults.
type addFunc func(format string, args ...any)

// defaultEndpoints checks the endpoints and derives the metrics endpoint
// from the logs endpoint when it is not set.
func (c *Config) defaultEndpoints(add addFunc) {
	if err := contract.ValidateEndpoint(c.Endpoint, contract.FunctionRules); err != nil {
		add("Endpoint %v", err)
	}
	if c.MetricsEndpoint == "" {
		if base, ok := strings.CutSuffix(c.Endpoint, logsPath); ok {
			c.MetricsEndpoint = base + metricsPath
		}
	} else if err := contract.ValidateEndpoint(c.MetricsEndpoint, contract.FunctionRules); err != nil {
		add("MetricsEndpoint %v", err)
	}
}

// defaultEncoding checks and defaults the protocol, compression and gzip level.
func (c *Config) defaultEncoding(add addFunc) {
	switch Protocol(strings.ToLower(strings.TrimSpace(string(c.Protocol)))) {
	case "", ProtocolHTTPProtobuf:
		c.Protocol = ProtocolHTTPProtobuf
	case ProtocolHTTPJSON:
		c.Protocol = ProtocolHTTPJSON
	case "grpc":
		add("Protocol grpc is not supported by this shipper: use http/protobuf (OTLP/HTTP, usually port 4318)")
	default:
		add("Protocol must be %q or %q, got %q", ProtocolHTTPProtobuf, ProtocolHTTPJSON, c.Protocol)
	}

	switch strings.ToLower(strings.TrimSpace(c.Compression)) {
	case "", CompressionGzip:
		c.Compression = CompressionGzip
	case CompressionZstd:
		c.Compression = CompressionZstd
	case CompressionNone:
		c.Compression = CompressionNone
	default:
		add("Compression must be %q, %q or %q, got %q", CompressionGzip, CompressionZstd, CompressionNone, c.Compression)
	}
	switch {
	case c.GzipLevel == 0:
		c.GzipLevel = DefaultGzipLevel
	case c.GzipLevel < 1 || c.GzipLevel > 9:
		add("GzipLevel must be between 1 (fastest) and 9 (smallest), got %d", c.GzipLevel)
	}
}

// checkHeaders checks the extra headers' names and values.
func (c *Config) checkHeaders(add addFunc) {
	for i, name := range headerNames(c.Headers) {
		// By position only: a malformed name may hold a credential.
		if !contract.ValidHeaderName(name) {
			add("Headers: header %d (in name order) has a name that is not a valid HTTP header name (not shown: it may hold a secret); use letters, digits and -, e.g. api-key", i+1)
			continue
		}
		if !contract.ValidHeaderValue(c.Headers[name]) {
			add("Headers[%q]: the value contains a line break or control character: remove it", name)
		}
	}
}

// defaultTimeouts checks and defaults the request timeout and the retry
// intervals.
func (c *Config) defaultTimeouts(add addFunc) {
	switch {
	case c.Timeout < 0:
		add("Timeout must not be negative, got %s", c.Timeout)
	case c.Timeout == 0:
		c.Timeout = DefaultTimeout
	}

	r := &c.Retry
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"Retry.InitialInterval", &r.InitialInterval, DefaultInitialInterval},
		{"Retry.MaxInterval", &r.MaxInterval, DefaultMaxInterval},
		{"Retry.MaxElapsed", &r.MaxElapsed, DefaultMaxElapsed},
	} {
		switch {
		case *d.v < 0:
			add("%s must not be negative, got %s", d.name, *d.v)
		case *d.v == 0:
			*d.v = d.def
		}
	}
	if r.InitialInterval > r.MaxInterval {
		add("Retry.InitialInterval (%s) must not exceed Retry.MaxInterval (%s)", r.InitialInterval, r.MaxInterval)
	}
}

// newDefaultClient returns a client tuned for sending to one endpoint.
func newDefaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 64
	t.MaxIdleConnsPerHost = 16
	t.IdleConnTimeout = 90 * time.Second
	t.ForceAttemptHTTP2 = true
	return &http.Client{Transport: t, CheckRedirect: checkRedirect}
}

// checkRedirect follows only redirects that keep the method and body (307, 308)
// and stay on the same scheme, host and port. Go rewrites a POST to a body-less
// GET on 301, 302 and 303: following those could report a success for records
// that were never delivered. And Go forwards custom headers (API keys) to any
// redirect target, dropping only Authorization and Cookie across hosts: a
// redirect elsewhere, or from https to http, would hand the keys and the logs to
// another server. In both cases the 3xx response is returned instead and becomes
// a non-retryable error naming the target.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if len(via) == 0 {
		return nil
	}
	first := via[0].URL
	if req.Method != via[0].Method || req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return http.ErrUseLastResponse
	}
	return nil
}
