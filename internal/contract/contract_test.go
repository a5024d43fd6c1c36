package contract

import (
	"reflect"
	"strings"
	"testing"
)

func TestResourceAttributes_RoundTrip(t *testing.T) {
	t.Parallel()
	tests := map[string]map[string]string{
		"plain":            {"team": "edge"},
		"space":            {"deployment.environment": "prod eu"},
		"plus":             {"a": "1+1"},
		"percent":          {"a": "100% %41"},
		"equals and comma": {"a": "k=v,w", "b": ","},
		"non-ASCII":        {"owner": "zoë/ops"},
		"empty value":      {"a": ""},
	}
	for name, attrs := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			enc, err := EncodeResourceAttributes(attrs)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(enc, " +") {
				t.Errorf("encoded %q holds a space or '+'", enc)
			}
			got, err := DecodeResourceAttributes(enc)
			if err != nil {
				t.Fatalf("decode %q: %v", enc, err)
			}
			if !reflect.DeepEqual(got, attrs) {
				t.Errorf("%q decodes to %q, want %q", enc, got, attrs)
			}
		})
	}
}

func TestEncodeResourceAttributes_RejectsBadKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", "a,b", "a=b", "a%b"} {
		if _, err := EncodeResourceAttributes(map[string]string{k: "v"}); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

func TestValidateEndpoint(t *testing.T) {
	t.Parallel()
	strict := EndpointRules{}
	tests := map[string]struct {
		raw   string
		rules EndpointRules
		want  string // "" for valid
	}{
		"https":                {raw: "https://otlp.example.com:4318", rules: strict},
		"http allowed":         {raw: "http://collector:4318", rules: EndpointRules{AllowHTTP: true}},
		"empty":                {raw: " ", rules: strict, want: "is required"},
		"no scheme":            {raw: "collector:4318", rules: strict, want: `must be an http(s) URL with a host such as https://otlp.example.com:4318, got "collector:4318"`},
		"grpc scheme":          {raw: "grpc://collector:4317", rules: strict, want: `must be an http(s) URL with a host`},
		"no host":              {raw: "https:///v1/logs", rules: strict, want: `must be an http(s) URL with a host`},
		"not a URL":            {raw: "http://[::1", rules: FunctionRules, want: `got "http://[::1"`},
		"plain http":           {raw: "http://collector:4318", rules: strict, want: `is plain http, got "http://collector:4318"`},
		"credentials":          {raw: "https://me:hunter2@otlp.example.com", rules: strict, want: "must not carry credentials"},
		"credentials function": {raw: "https://me:hunter2@otlp.example.com", rules: FunctionRules},
		"bad URL credentials":  {raw: "http://me:hunter2@[::1", rules: strict, want: "(credentials)@[::1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateEndpoint(tc.raw, tc.rules)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("error %v shows the password", err)
			}
		})
	}
}

func TestValidateKeyPrefix(t *testing.T) {
	t.Parallel()
	for prefix, ok := range map[string]bool{"": true, "alb": true, "a/b": true, "/alb": false, "alb/": false, "x/AWSLogs": false} {
		if err := ValidateKeyPrefix(prefix); (err == nil) != ok {
			t.Errorf("ValidateKeyPrefix(%q) = %v", prefix, err)
		}
	}
	if LogKeyPrefix("") != "AWSLogs/" || LogKeyPrefix("alb") != "alb/AWSLogs/" {
		t.Error("LogKeyPrefix")
	}
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]map[string]string{
		`{"api-key":"s3cr3t"}`:            {"api-key": "s3cr3t"},
		"api-key=s3cr3t, x-a=b%20c":       {"api-key": "s3cr3t", "x-a": "b c"},
		" { \"x\" : \"y\" } ":             {"x": "y"},
		"authorization=Bearer%20a%2Bb%3D": {"authorization": "Bearer a+b="},
	} {
		got, err := ParseHeaders("test", in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseHeaders(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
