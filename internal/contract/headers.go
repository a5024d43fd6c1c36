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
// secret"): a JSON object of header name to value when v starts with "{";
// "Name: value" lines, as in an HTTP request, when every line has that
// shape; else the OTEL_EXPORTER_OTLP_HEADERS form "k1=v1,k2=v2". Errors name
// an entry by its position only, never by its name or value: a malformed
// secret (a bare credential, "Authorization: Basic ..." where a name was
// expected) may hold the credential in either.
func ParseHeaders(name, v string) (map[string]string, error) {
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		return ParseJSONHeaders(name, v)
	}
	if isHeaderLines(v) {
		return parseHeaderLines(name, v)
	}
	return ParseHeaderList(name, v)
}

// isHeaderLines reports whether every non-blank line of v is "Name: value"
// with a valid header name.
func isHeaderLines(v string) bool {
	seen := false
	for _, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, _, ok := strings.Cut(line, ":")
		if !ok || !ValidHeaderName(strings.TrimSpace(k)) {
			return false
		}
		seen = true
	}
	return seen
}

// parseHeaderLines parses "Name: value" lines (values as they are).
func parseHeaderLines(name, v string) (map[string]string, error) {
	h := make(map[string]string)
	var errs []error
	for i, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, val, _ := strings.Cut(line, ":")
		if err := checkEntry(name, i+1, "line", strings.TrimSpace(k), strings.TrimSpace(val)); err != nil {
			errs = append(errs, err)
			continue
		}
		h[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	return h, errors.Join(errs...)
}

// checkEntry checks one header, naming it by position only.
func checkEntry(name string, pos int, unit, k, val string) error {
	switch {
	case !ValidHeaderName(k):
		return fmt.Errorf("%s %s %d: the header name is empty or not a valid HTTP header name (not shown: it may hold a secret); e.g. %s", name, unit, pos, headersExample)
	case val == "":
		return fmt.Errorf("%s %s %d: the value is empty (a bare credential needs its header name, e.g. %s)", name, unit, pos, headersExample)
	case !ValidHeaderValue(val):
		return fmt.Errorf("%s %s %d: the value contains a line break or control character: remove it", name, unit, pos)
	}
	return nil
}

// ParseHeaderList parses the OpenTelemetry "k1=v1,k2=v2" form: whitespace
// around names and values is trimmed, values are percent-decoded, empty
// entries are skipped. Errors name the entry by position, never its name or
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
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s entry %d: the value has a malformed %%-escape: write %% as %%25, e.g. %s", name, i+1, headersExample))
			continue
		}
		if err := checkEntry(name, i+1, "entry", k, dec); err != nil {
			errs = append(errs, err)
			continue
		}
		h[k] = dec
	}
	return h, errors.Join(errs...)
}

// ParseJSONHeaders parses a JSON object of header name to string value (the
// original guide's OTEL_HEADERS, or a headers secret). Errors name an entry
// by its position in name order, never its name or value.
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
	for i, k := range keys {
		var s string
		if err := json.Unmarshal(raw[k], &s); err != nil {
			errs = append(errs, fmt.Errorf("%s member %d: the value must be a JSON string, e.g. %s", name, i+1, headersJSONExample))
			continue
		}
		if err := checkEntry(name, i+1, "member", k, s); err != nil {
			errs = append(errs, err)
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
