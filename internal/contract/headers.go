package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// headersExample and headersJSONExample are the examples header errors show.
const (
	headersExample     = "api-key=secret,x-tenant=acme"
	headersJSONExample = `{"api-key":"secret"}`
)

// ParseHeaders parses OTLP headers held by name (a variable, or "headers
// secret"): a JSON object of header name to value when v starts with "{",
// else the OTEL_EXPORTER_OTLP_HEADERS form "k1=v1,k2=v2". Errors never
// contain a header value.
func ParseHeaders(name, v string) (map[string]string, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		return ParseJSONHeaders(name, v)
	}
	return ParseHeaderList(name, v)
}

// ParseHeaderList parses the OpenTelemetry "k1=v1,k2=v2" form: whitespace
// around names and values is trimmed, values are percent-decoded, empty
// entries are skipped. Errors name the entry by position or name, never its
// value.
func ParseHeaderList(name, v string) (map[string]string, error) {
	h := make(map[string]string)
	var errs []error
	for i, entry := range strings.Split(v, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		k, val, ok := strings.Cut(entry, "=")
		k = strings.TrimSpace(k)
		if !ok {
			errs = append(errs, fmt.Errorf("%s entry %d has no '=': use name=value pairs separated by commas, e.g. %s", name, i+1, headersExample))
			continue
		}
		if !ValidHeaderName(k) {
			errs = append(errs, fmt.Errorf("%s entry %d: the header name is empty or not a valid HTTP header name: use name=value pairs, e.g. %s", name, i+1, headersExample))
			continue
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s header %q: the value has a malformed %%-escape: write %% as %%25, e.g. %s", name, k, headersExample))
			continue
		}
		if !ValidHeaderValue(dec) {
			errs = append(errs, fmt.Errorf("%s header %q: the value contains a line break or control character: remove it", name, k))
			continue
		}
		h[k] = dec
	}
	return h, errors.Join(errs...)
}

// ParseJSONHeaders parses a JSON object of header name to string value (the
// original guide's OTEL_HEADERS, or a headers secret).
func ParseJSONHeaders(name, v string) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &raw); err != nil || raw == nil {
		// The decoder's message may quote part of the input: keep it out.
		return nil, fmt.Errorf("%s must be a JSON object of header name to value, e.g. %s", name, headersJSONExample)
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
			errs = append(errs, fmt.Errorf("%s header %q: the value must be a JSON string, e.g. %s", name, k, headersJSONExample))
			continue
		}
		if !ValidHeaderName(k) {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid HTTP header name, e.g. %s", name, k, headersJSONExample))
			continue
		}
		if !ValidHeaderValue(s) {
			errs = append(errs, fmt.Errorf("%s header %q: the value contains a line break or control character: remove it", name, k))
			continue
		}
		h[k] = s
	}
	return h, errors.Join(errs...)
}

// ValidHeaderName reports whether s is an RFC 9110 token.
func ValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ValidHeaderValue reports whether s has no control characters other than tab.
func ValidHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
