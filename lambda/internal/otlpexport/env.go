package otlpexport

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by [ConfigFromEnv]. For each setting the
// logs-specific variable wins over the general one, which wins over the alias.
const (
	EnvLogsEndpoint    = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"    // full logs URL, used as-is
	EnvEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"         // base URL; /v1/logs is appended
	EnvLogsHeaders     = "OTEL_EXPORTER_OTLP_LOGS_HEADERS"     // k1=v1,k2=v2 (values percent-encoded)
	EnvHeaders         = "OTEL_EXPORTER_OTLP_HEADERS"          // k1=v1,k2=v2 (values percent-encoded)
	EnvLogsCompression = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION" // gzip or none
	EnvCompression     = "OTEL_EXPORTER_OTLP_COMPRESSION"      // gzip or none
	EnvLogsTimeout     = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT"     // milliseconds per attempt
	EnvTimeout         = "OTEL_EXPORTER_OTLP_TIMEOUT"          // milliseconds per attempt
	EnvLogsProtocol    = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"    // http/protobuf or http/json
	EnvProtocol        = "OTEL_EXPORTER_OTLP_PROTOCOL"         // http/protobuf or http/json

	// Aliases from the original hand-run guide, for people migrating.

	EnvAliasEndpoint = "OTEL_ENDPOINT"   // base URL; /v1/logs is appended
	EnvAliasHeaders  = "OTEL_HEADERS"    // a JSON object of header name to value
	EnvAliasTimeout  = "REQUEST_TIMEOUT" // seconds per attempt, may be fractional
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
//     (gzip or none);
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

	// Endpoint.
	switch name, v := get(EnvLogsEndpoint, EnvEndpoint, EnvAliasEndpoint); name {
	case "":
		add(fmt.Errorf("%w: set %s to a base URL (e.g. https://collector:4318; %s is appended) or %s to the full logs URL (e.g. https://collector:4318/v1/logs)",
			ErrNoEndpoint, EnvEndpoint, logsPath, EnvLogsEndpoint))
	case EnvLogsEndpoint:
		if err := validateEndpoint(v, "https://collector:4318/v1/logs"); err != nil {
			add(fmt.Errorf("otlpexport: %s %w", name, err))
		}
		cfg.Endpoint = v
	default:
		ep, err := joinLogsPath(name, v)
		add(err)
		cfg.Endpoint = ep
	}

	// Headers.
	switch name, v := get(EnvLogsHeaders, EnvHeaders, EnvAliasHeaders); name {
	case "":
	case EnvAliasHeaders:
		h, err := parseJSONHeaders(name, v)
		add(err)
		cfg.Headers = h
	default:
		h, err := parseHeaderList(name, v)
		add(err)
		cfg.Headers = h
	}

	// Compression.
	if name, v := get(EnvLogsCompression, EnvCompression); name != "" {
		switch strings.ToLower(v) {
		case CompressionGzip, CompressionNone:
			cfg.Compression = strings.ToLower(v)
		default:
			add(fmt.Errorf("otlpexport: %s must be gzip or none, got %q (e.g. %s=gzip)", name, v, name))
		}
	}

	// Timeout.
	switch name, v := get(EnvLogsTimeout, EnvTimeout, EnvAliasTimeout); name {
	case "":
	case EnvAliasTimeout:
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 || math.IsInf(secs, 0) || math.IsNaN(secs) || secs > 24*3600 {
			add(fmt.Errorf("otlpexport: %s must be a positive number of seconds, got %q (e.g. %s=5 or %s=2.5)", name, v, name, name))
			break
		}
		cfg.Timeout = time.Duration(secs * float64(time.Second))
	default:
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 || ms > 24*3600*1000 {
			add(fmt.Errorf("otlpexport: %s must be a positive whole number of milliseconds, got %q (e.g. %s=10000 for 10 s)", name, v, name))
			break
		}
		cfg.Timeout = time.Duration(ms) * time.Millisecond
	}

	// Protocol.
	if name, v := get(EnvLogsProtocol, EnvProtocol); name != "" {
		switch p := Protocol(strings.ToLower(v)); p {
		case ProtocolHTTPProtobuf, ProtocolHTTPJSON:
			cfg.Protocol = p
		case "grpc":
			add(fmt.Errorf("otlpexport: %s=grpc is not supported by this shipper: set %s=http/protobuf and point the endpoint at the OTLP/HTTP port (usually 4318, not 4317)", name, name))
		default:
			add(fmt.Errorf("otlpexport: %s must be http/protobuf or http/json, got %q (e.g. %s=http/protobuf)", name, v, name))
		}
	}

	return cfg, errors.Join(errs...)
}

// joinLogsPath appends /v1/logs to the base URL held by variable name.
func joinLogsPath(name, base string) (string, error) {
	if err := validateEndpoint(base, "https://collector:4318"); err != nil {
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

// parseHeaderList parses the OpenTelemetry "k1=v1,k2=v2" format: whitespace
// around names and values is trimmed, values are percent-decoded, empty
// entries are skipped. Errors name the entry by position or name, never its
// value.
func parseHeaderList(name, v string) (map[string]string, error) {
	const example = "api-key=secret,x-tenant=acme"
	h := make(map[string]string)
	var errs []error
	for i, entry := range strings.Split(v, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		k, val, ok := strings.Cut(entry, "=")
		k = strings.TrimSpace(k)
		if !ok {
			errs = append(errs, fmt.Errorf("otlpexport: %s entry %d has no '=': use name=value pairs separated by commas, e.g. %s=%s", name, i+1, name, example))
			continue
		}
		if !validHeaderName(k) {
			errs = append(errs, fmt.Errorf("otlpexport: %s entry %d: the header name is empty or not a valid HTTP header name: use name=value pairs, e.g. %s=%s", name, i+1, name, example))
			continue
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			errs = append(errs, fmt.Errorf("otlpexport: %s header %q: the value has a malformed %%-escape: write %% as %%25, e.g. %s=%s", name, k, name, example))
			continue
		}
		if !validHeaderValue(dec) {
			errs = append(errs, fmt.Errorf("otlpexport: %s header %q: the value contains a line break or control character: remove it", name, k))
			continue
		}
		h[k] = dec
	}
	return h, errors.Join(errs...)
}

// parseJSONHeaders parses the original guide's OTEL_HEADERS: a JSON object of
// header name to string value.
func parseJSONHeaders(name, v string) (map[string]string, error) {
	const example = `{"api-key":"secret"}`
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &raw); err != nil || raw == nil {
		// The decoder's message may quote part of the input: keep it out.
		return nil, fmt.Errorf("otlpexport: %s must be a JSON object of header name to value, e.g. %s='%s'", name, name, example)
	}
	h := make(map[string]string, len(raw))
	var errs []error
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var s string
		if err := json.Unmarshal(raw[k], &s); err != nil {
			errs = append(errs, fmt.Errorf("otlpexport: %s header %q: the value must be a JSON string, e.g. %s='%s'", name, k, name, example))
			continue
		}
		if !validHeaderName(k) {
			errs = append(errs, fmt.Errorf("otlpexport: %s: %q is not a valid HTTP header name, e.g. %s='%s'", name, k, name, example))
			continue
		}
		if !validHeaderValue(s) {
			errs = append(errs, fmt.Errorf("otlpexport: %s header %q: the value contains a line break or control character: remove it", name, k))
			continue
		}
		h[k] = s
	}
	return h, errors.Join(errs...)
}
