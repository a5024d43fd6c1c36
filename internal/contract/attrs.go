package contract

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// EncodeResourceAttributes renders attrs in the OTEL_RESOURCE_ATTRIBUTES form
// "k1=v1,k2=v2", sorted by key. Every value byte outside the URL-unreserved
// set (letters, digits, "-._~") is percent-encoded, so a value with spaces,
// "+", "%", "=" or "," arrives unchanged through DecodeResourceAttributes (and
// through any OpenTelemetry SDK's decoder). A key must be non-empty and hold
// no ",", "=" or "%".
func EncodeResourceAttributes(attrs map[string]string) (string, error) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		if k == "" || strings.ContainsAny(k, ",=%") {
			return "", fmt.Errorf("resource attribute key %q must be non-empty and contain no ',', '=' or '%%'", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		percentEncode(&b, attrs[k])
	}
	return b.String(), nil
}

func percentEncode(b *strings.Builder, v string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// DecodeResourceAttributes parses the OTEL_RESOURCE_ATTRIBUTES form
// "k1=v1,k2=v2": whitespace around keys and values is trimmed, empty entries
// are skipped and values are percent-decoded ("+" stays "+", as the
// OpenTelemetry specification's W3C Baggage encoding has it).
func DecodeResourceAttributes(v string) (map[string]string, error) {
	attrs := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, val, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", pair)
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("value of %q: %v", k, err)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(dec) {
			// It would go into every request, and a receiver rejects a
			// request whose strings are not UTF-8.
			return nil, fmt.Errorf("%q decodes to bytes that are not UTF-8", pair)
		}
		attrs[k] = dec
	}
	return attrs, nil
}
