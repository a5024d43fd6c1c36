package contract

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// EndpointExample is the example every endpoint error shows.
const EndpointExample = "https://otlp.example.com:4318"

// ErrEndpointRequired is returned by ValidateEndpoint for an empty endpoint.
var ErrEndpointRequired = errors.New("is required: set it to your OTLP/HTTP receiver's base URL, e.g. " + EndpointExample)

// EndpointRules are what an endpoint may be besides an https URL.
type EndpointRules struct {
	// AllowHTTP accepts plain http (a collector inside the network).
	AllowHTTP bool
	// AllowCredentials accepts user:password@ in the URL. The constructs
	// refuse it, because the URL lands in the template in plain text; the
	// function accepts it and never shows it.
	AllowCredentials bool
}

// FunctionRules are the rules of the function and the CLI: the URL comes
// from their own environment or flags, so the constructs already refused what
// a deployment must not carry.
var FunctionRules = EndpointRules{AllowHTTP: true, AllowCredentials: true}

// ValidateEndpoint checks raw as an OTLP/HTTP endpoint: an absolute http or
// https URL with a host, within rules. The error reads after the name of the
// setting (a prop, a context key, a variable) and never shows credentials.
// Constructs call it only for resolved values, not for CDK tokens.
func ValidateEndpoint(raw string, rules EndpointRules) error {
	if strings.TrimSpace(raw) == "" {
		return ErrEndpointRequired
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("must be an http(s) URL with a host such as %s, got %q", EndpointExample, shown(raw, u))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !rules.AllowHTTP {
			return fmt.Errorf("is plain http, got %q: use https, or allow plain http (AllowInsecureEndpoint, or context elb-otel:allowInsecureEndpoint) for a collector inside your network", u.Redacted())
		}
	default:
		return fmt.Errorf("must be an http(s) URL with a host such as %s, got %q", EndpointExample, u.Redacted())
	}
	if u.User != nil && !rules.AllowCredentials {
		return fmt.Errorf("must not carry credentials in the URL, got %q: put them in the headers secret", u.Redacted())
	}
	return nil
}

// shown is raw without credentials, for an error message.
func shown(raw string, u *url.URL) string {
	if u != nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "(credentials)@" + raw[i+1:]
	}
	return raw
}
