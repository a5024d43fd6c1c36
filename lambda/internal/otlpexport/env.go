package otlpexport

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/contract"
)

// Environment variables read by [ConfigFromEnv], named in package contract.
// For each setting the logs-specific variable wins over the general one,
// which wins over the alias.
const (
	EnvLogsEndpoint    = contract.EnvLogsEndpoint
	EnvEndpoint        = contract.EnvEndpoint
	EnvMetricsEndpoint = contract.EnvMetricsEndpoint
	EnvLogsHeaders     = contract.EnvLogsHeaders
	EnvHeaders         = contract.EnvHeaders
	EnvLogsCompression = contract.EnvLogsCompression
	EnvCompression     = contract.EnvCompression
	EnvLogsTimeout     = contract.EnvLogsTimeout
	EnvTimeout         = contract.EnvTimeout
	EnvLogsProtocol    = contract.EnvLogsProtocol
	EnvProtocol        = contract.EnvProtocol
	EnvAliasEndpoint   = contract.EnvAliasEndpoint
	EnvAliasHeaders    = contract.EnvAliasHeaders
	EnvAliasTimeout    = contract.EnvAliasTimeout
	EnvGzipLevel       = contract.EnvGzipLevel
)

// ErrNoEndpoint is wrapped by the error of [ConfigFromEnv] when no endpoint
// variable is set, so a caller that supplies the endpoint another way (a CLI
// flag) can tell this problem from malformed variables with errors.Is.
var ErrNoEndpoint = errors.New("otlpexport: no OTLP endpoint configured")

// logsPath is appended to base endpoint URLs.
const logsPath = "/v1/logs"

// ConfigFromEnv builds a Config from environment variables, looked up with
// lookup (os.LookupEnv in production). Empty values count as unset. For each
// setting the first variable set wins:
//
//   - endpoint: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT (the full URL, used as-is),
//     OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_ENDPOINT (base URLs: /v1/logs is appended);
//   - headers: OTEL_EXPORTER_OTLP_LOGS_HEADERS, OTEL_EXPORTER_OTLP_HEADERS
//     ("k1=v1,k2=v2", values percent-decoded), OTEL_HEADERS (a JSON object); the
//     winning variable supplies all headers, they are not merged;
//   - compression: OTEL_EXPORTER_OTLP_LOGS_COMPRESSION, OTEL_EXPORTER_OTLP_COMPRESSION
//     (gzip, zstd or none), and the gzip level from ELB_OTEL_GZIP_LEVEL (1 to 9);
//   - timeout: OTEL_EXPORTER_OTLP_LOGS_TIMEOUT, OTEL_EXPORTER_OTLP_TIMEOUT
//     (milliseconds), REQUEST_TIMEOUT (seconds);
//   - protocol: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL
//     (http/protobuf or http/json).
//
// Settings left unset keep their zero value, which [New] turns into the
// default. The error names each malformed variable with an example of a good
// value, and never contains a header value.
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(names ...string) (name, value string) {
		for _, n := range names {
			if v, ok := lookup(n); ok && strings.TrimSpace(v) != "" {
				return n, strings.TrimSpace(v)
			}
		}
		return "", ""
	}
	var cfg Config
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	cfg.Endpoint, err = endpointFromEnv(get(EnvLogsEndpoint, EnvEndpoint, EnvAliasEndpoint))
	add(err)
	metricsName, metrics := get(EnvMetricsEndpoint)
	baseName, base := get(EnvEndpoint, EnvAliasEndpoint)
	cfg.MetricsEndpoint, err = metricsEndpointFromEnv(metricsName, metrics, baseName, base)
	add(err)
	cfg.Headers, err = headersFromEnv(get(EnvLogsHeaders, EnvHeaders, EnvAliasHeaders))
	add(err)
	cfg.Compression, err = compressionFromEnv(get(EnvLogsCompression, EnvCompression))
	add(err)
	cfg.GzipLevel, err = gzipLevelFromEnv(get(EnvGzipLevel))
	add(err)
	cfg.Timeout, err = timeoutFromEnv(get(EnvLogsTimeout, EnvTimeout, EnvAliasTimeout))
	add(err)
	cfg.Protocol, err = protocolFromEnv(get(EnvLogsProtocol, EnvProtocol))
	add(err)
	return cfg, errors.Join(errs...)
}

// endpointFromEnv reads the endpoint from variable name (empty: none set).
func endpointFromEnv(name, v string) (string, error) {
	switch name {
	case "":
		return "", fmt.Errorf("%w: set %s to a base URL (e.g. https://collector:4318; %s is appended) or %s to the full logs URL (e.g. https://collector:4318/v1/logs)",
			ErrNoEndpoint, EnvEndpoint, logsPath, EnvLogsEndpoint)
	case EnvLogsEndpoint:
		if err := contract.ValidateEndpoint(v, contract.FunctionRules); err != nil {
			return v, fmt.Errorf("otlpexport: %s %w", name, err)
		}
		return v, nil
	default:
		return joinLogsPath(name, v)
	}
}

// metricsEndpointFromEnv reads the metrics endpoint (metric-stream objects):
// the full URL, else the base URL's /v1/metrics, else none (Config then
// derives it from a logs URL ending in /v1/logs).
func metricsEndpointFromEnv(name, v, baseName, base string) (string, error) {
	switch {
	case name != "":
		if err := contract.ValidateEndpoint(v, contract.FunctionRules); err != nil {
			return v, fmt.Errorf("otlpexport: %s %w", name, err)
		}
		return v, nil
	case baseName != "":
		return strings.TrimSuffix(base, "/") + metricsPath, nil
	}
	return "", nil
}

// headersFromEnv reads the headers from variable name (empty: none set).
func headersFromEnv(name, v string) (map[string]string, error) {
	switch name {
	case "":
		return nil, nil
	case EnvAliasHeaders:
		h, err := contract.ParseJSONHeaders(name, v)
		return h, prefixed(err)
	default:
		h, err := contract.ParseHeaderList(name, v)
		return h, prefixed(err)
	}
}

// prefixed puts the package name before err's message.
func prefixed(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("otlpexport: %w", err)
}

// compressionFromEnv reads the compression from variable name (empty: none set).
func compressionFromEnv(name, v string) (string, error) {
	if name == "" {
		return "", nil
	}
	if err := contract.ValidateCompression(strings.ToLower(v)); err != nil {
		return "", fmt.Errorf("otlpexport: %s %w (e.g. %s=gzip)", name, err, name)
	}
	return strings.ToLower(v), nil
}

// gzipLevelFromEnv reads the gzip level from variable name (empty: none set).
func gzipLevelFromEnv(name, v string) (int, error) {
	if name == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		err = contract.ValidateGzipLevel(n)
	} else {
		err = fmt.Errorf("must be a whole number from 1 (fastest) to 9 (smallest), got %q", v)
	}
	if err != nil {
		return 0, fmt.Errorf("otlpexport: %s %w (e.g. %s=6)", name, err, name)
	}
	return n, nil
}

// timeoutFromEnv reads the timeout from variable name (empty: none set).
func timeoutFromEnv(name, v string) (time.Duration, error) {
	switch name {
	case "":
		return 0, nil
	case EnvAliasTimeout:
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs > 24*3600 {
			return 0, fmt.Errorf("otlpexport: %s must be a positive number of seconds, got %q (e.g. %s=5 or %s=2.5)", name, v, name, name)
		}
		return time.Duration(secs * float64(time.Second)), nil
	default:
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 || ms > 24*3600*1000 {
			return 0, fmt.Errorf("otlpexport: %s must be a positive whole number of milliseconds, got %q (e.g. %s=10000 for 10 s)", name, v, name)
		}
		return time.Duration(ms) * time.Millisecond, nil
	}
}

// protocolFromEnv reads the protocol from variable name (empty: none set).
func protocolFromEnv(name, v string) (Protocol, error) {
	if name == "" {
		return "", nil
	}
	switch p := Protocol(strings.ToLower(v)); p {
	case ProtocolHTTPProtobuf, ProtocolHTTPJSON:
		return p, nil
	case "grpc":
		return "", fmt.Errorf("otlpexport: %s=grpc is not supported by this shipper: set %s=http/protobuf and point the endpoint at the OTLP/HTTP port (usually 4318, not 4317)", name, name)
	default:
		return "", fmt.Errorf("otlpexport: %s must be http/protobuf or http/json, got %q (e.g. %s=http/protobuf)", name, v, name)
	}
}

// joinLogsPath appends /v1/logs to the base URL held by variable name.
func joinLogsPath(name, base string) (string, error) {
	if err := contract.ValidateEndpoint(base, contract.FunctionRules); err != nil {
		return "", fmt.Errorf("otlpexport: %s %w", name, err)
	}
	u, _ := url.Parse(base) // validated above
	path := strings.TrimRight(u.Path, "/")
	if strings.HasSuffix(path, logsPath) {
		return "", fmt.Errorf("otlpexport: %s is a base URL to which %s is appended, got %q: drop %s from it, or set %s to the full URL instead",
			name, logsPath, u.Redacted(), logsPath, EnvLogsEndpoint)
	}
	u.Path = path + logsPath
	if u.RawPath != "" {
		u.RawPath = strings.TrimRight(u.RawPath, "/") + logsPath
	}
	return u.String(), nil
}
