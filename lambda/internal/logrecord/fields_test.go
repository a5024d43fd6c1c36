package logrecord

import (
	"encoding/hex"
	"strconv"
	"testing"
)

// TestParseXRayRoot: the trace ID is the Root field's 32 hex digits, wherever
// the field is among the others; anything else is no trace ID.
func TestParseXRayRoot(t *testing.T) {
	t.Parallel()
	const root = "Root=1-58337262-36d228ad5d99923122bbe354"
	const id = "5833726236d228ad5d99923122bbe354"
	tests := map[string]struct {
		header string
		want   string // "" for none
	}{
		"alone":                       {root, id},
		"after Self":                  {"Self=1-5833726a-1fe4b2c6a5e7e1f7f0a0b0c0;" + root, id},
		"after Self and a blank":      {"Self=1-5833726a-1fe4b2c6a5e7e1f7f0a0b0c0; " + root, id},
		"before Parent":               {root + ";Parent=53995c3f42cd8ad8;Sampled=1", id},
		"inside another field first":  {"xRoot=1-00000000-000000000000000000000001;" + root, id},
		"only inside another field":   {"xRoot=1-58337262-36d228ad5d99923122bbe354", ""},
		"upper-case hex":              {"Root=1-58337262-36D228AD5D99923122BBE354", id},
		"every hex digit":             {"Root=1-01234567-89abcdefABCDEF0123456789", "0123456789abcdefabcdef0123456789"},
		"one digit short":             {root[:len(root)-1], ""},
		"then a blank, not a ;":       {root + " x", ""},
		"then more digits":            {root + "0", ""},
		"no dash after the epoch":     {"Root=1-58337262x36d228ad5d99923122bbe354", ""},
		"a g in the epoch":            {"Root=1-5833726g-36d228ad5d99923122bbe354", ""},
		"a G in the random part":      {"Root=1-58337262-36d228ad5d99923122bbe35G", ""},
		"a / (before 0)":              {"Root=1-/8337262-36d228ad5d99923122bbe354", ""},
		"a : (after 9)":               {"Root=1-58337262-36d228ad5d99923122bbe35:", ""},
		"a ` (before a)":              {"Root=1-58337262-`6d228ad5d99923122bbe354", ""},
		"an @ (before A)":             {"Root=1-58337262-@6d228ad5d99923122bbe354", ""},
		"all zero":                    {"Root=1-00000000-000000000000000000000000", ""},
		"zero but the last bit":       {"Root=1-00000000-000000000000000000000001", "00000000000000000000000000000001"},
		"zero but the first bit":      {"Root=1-10000000-000000000000000000000000", "10000000000000000000000000000000"},
		"version 2":                   {"Root=2-58337262-36d228ad5d99923122bbe354", ""},
		"empty":                       {"", ""},
		"dash":                        {"-", ""},
		"Root= without the version 1": {"Root=58337262-36d228ad5d99923122bbe354", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseXRayRoot(tc.header)
			if tc.want == "" {
				if ok {
					t.Errorf("parseXRayRoot(%q) = %x, want none", tc.header, got)
				}
				return
			}
			if !ok || hex.EncodeToString(got[:]) != tc.want {
				t.Errorf("parseXRayRoot(%q) = %x, %v; want %s", tc.header, got, ok, tc.want)
			}
		})
	}
}

// TestSplitProtocols: the forms ELB logs and the generic forms, each split into
// the semantic conventions' name and version.
func TestSplitProtocols(t *testing.T) {
	t.Parallel()
	tls := map[string][2]string{
		"TLSv1.0": {"tls", "1.0"}, "tlsv1": {"tls", "1.0"}, "sslv3": {"ssl", "3"}, "tlsv11": {"tls", "1.1"},
		"TLS1.3": {"tls", "1.3"}, "a1": {"a", "1"}, "z1": {"z", "1"}, "A1": {"a", "1"}, "Z1": {"z", "1"},
		"`1": {"", "`1"}, "{1": {"", "{1"}, "@1": {"", "@1"}, "[1": {"", "[1"}, "v2": {"", "2"}, "xyz": {"xyz", ""},
	}
	for in, want := range tls {
		if n, v := splitTLSProtocol(in); n != want[0] || v != want[1] {
			t.Errorf("splitTLSProtocol(%q) = %q, %q, want %q", in, n, v, want)
		}
	}
	http := map[string][3]string{
		"HTTP/1.0": {"http", "1.0", "ok"}, "HTTP/1.1": {"http", "1.1", "ok"}, "HTTP/2.0": {"http", "2", "ok"}, "HTTP/2": {"http", "2", "ok"},
		"HTTP/3.0": {"http", "3", "ok"}, "HTTP/3": {"http", "3", "ok"}, "SPDY/3.1": {"spdy", "3.1", "ok"},
		"": {}, "-": {}, "HTTP": {}, "/1.1": {}, "HTTP/": {},
	}
	for in, want := range http {
		n, v, ok := splitHTTPProto(in)
		if n != want[0] || v != want[1] || ok != (want[2] == "ok") {
			t.Errorf("splitHTTPProto(%q) = %q, %q, %v; want %q", in, n, v, ok, want)
		}
	}
}

// TestParseKey_Edges: keys cut short where the path's parts end, and a file
// name that does not start with an account.
func TestParseKey_Edges(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		key  string
		want KeyInfo
	}{
		"path ends after the service":        {"AWSLogs/123456789012/elasticloadbalancing", KeyInfo{}},
		"path ends after the Region's slash": {"AWSLogs/123456789012/elasticloadbalancing/", KeyInfo{Account: "123456789012"}},
		"path ends at the Region":            {"AWSLogs/123456789012/elasticloadbalancing/eu-west-1", KeyInfo{Account: "123456789012", Region: "eu-west-1"}},
		"two ids before the account":         {"AWSLogs/o-1/o-2/123456789012/elasticloadbalancing/eu-west-1/f.log", KeyInfo{}},
		"empty account segment":              {"AWSLogs//elasticloadbalancing/eu-west-1/f.log", KeyInfo{}},
		"file name without an account": {
			"_elasticloadbalancing_us-east-1_app.web.1_20240101T0000Z_x.log", KeyInfo{},
		},
		"file name without the part after the Region": {
			"123456789012_elasticloadbalancing_us-east-1", KeyInfo{Account: "123456789012", Region: "us-east-1"},
		},
		"AWSLogs at the start of a later segment": {
			"a/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/f.log", KeyInfo{Account: "123456789012", Region: "eu-west-1"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := ParseKey(tc.key); got != tc.want {
				t.Errorf("ParseKey(%q) =\n%+v, want\n%+v", tc.key, got, tc.want)
			}
		})
	}
}

// TestPartition: the ARN partition of each Region family.
func TestPartition(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eusc-de-east-1": "aws-eusc", "": "aws",
	} {
		if got := partition(region); got != want {
			t.Errorf("partition(%q) = %q, want %q", region, got, want)
		}
	}
}

// TestUIDLen: the size the encoder reserves for a uid is the size of the uid,
// for line numbers around every change in their count of digits.
func TestUIDLen(t *testing.T) {
	t.Parallel()
	g := newUIDGen("b", "k", "e")
	for _, n := range []int64{0, 1, 9, 10, 11, 99, 100, 999, 1000, 99_999, 100_000, 1 << 40, -1, -9, -10, -11, -100} {
		if got, want := uidLen(n), len(g.appendUID(nil, n)); got != want {
			t.Errorf("uidLen(%d) = %d, want %d (%s)", n, got, want, strconv.Quote(string(g.appendUID(nil, n))))
		}
	}
}
