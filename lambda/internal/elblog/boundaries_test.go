package elblog

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestParseAddr: ip:port splits on the last colon; brackets around an IPv6
// address are removed, and nothing else is; ports run 0 to 65535.
func TestParseAddr(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in     string
		want   Addr
		wantOK bool
	}{
		"ipv4":                  {"192.168.131.39:2817", Addr{"192.168.131.39", 2817}, true},
		"bracketed ipv6":        {"[2001:db8::1]:443", Addr{"2001:db8::1", 443}, true},
		"bracketed ipv4-in-6":   {"[::ffff:10.0.0.1]:80", Addr{"::ffff:10.0.0.1", 80}, true},
		"unbracketed ipv6":      {"2a02:a33c::1:50718", Addr{"2a02:a33c::1", 50718}, true},
		"one char in brackets":  {"[a]:1", Addr{"a", 1}, true},
		"empty brackets kept":   {"[]:1", Addr{"[]", 1}, true},
		"no closing bracket":    {"[2001:db8::1:80", Addr{"[2001:db8::1", 80}, true},
		"no opening bracket":    {"2001:db8::1]:80", Addr{"2001:db8::1]", 80}, true},
		"one-char ip":           {"h:8", Addr{"h", 8}, true},
		"port 0":                {"10.0.0.1:0", Addr{"10.0.0.1", 0}, true},
		"port 65535":            {"10.0.0.1:65535", Addr{"10.0.0.1", 65535}, true},
		"port 65536":            {"10.0.0.1:65536", Addr{}, false},
		"port 99999":            {"10.0.0.1:99999", Addr{}, false},
		"six-digit port":        {"10.0.0.1:000080", Addr{}, false},
		"five-digit port 00080": {"10.0.0.1:00080", Addr{"10.0.0.1", 80}, true},
		"port with a letter":    {"10.0.0.1:8o", Addr{}, false},
		"port with a sign":      {"10.0.0.1:+80", Addr{}, false},
		"no port":               {"10.0.0.1:", Addr{}, false},
		"no ip":                 {":80", Addr{}, false},
		"no colon":              {"10.0.0.1", Addr{}, false},
		"dash":                  {"-", Addr{}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseAddr(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("parseAddr(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestParse_BracketedIPv6Client: a client or target logged as [ipv6]:port
// reaches the record without the brackets, in every format that logs one.
func TestParse_BracketedIPv6Client(t *testing.T) {
	t.Parallel()
	const v6 = "2001:db8:85a3::8a2e:370:7334"
	alb := strings.Replace(albDocHTTP, "192.168.131.39:2817 10.0.0.1:80", "["+v6+"]:2817 [fd00::5]:80", 1)
	var a ALBAccess
	if err := ParseALBAccess(alb, &a); err != nil {
		t.Fatal(err)
	}
	if a.Client != (Addr{v6, 2817}) || a.Target != (Addr{"fd00::5", 80}) {
		t.Errorf("alb client %+v, target %+v; want %s:2817 and fd00::5:80", a.Client, a.Target, v6)
	}
	clb := strings.Replace(clbHTTP, "192.168.131.39:2817", "["+v6+"]:2817", 1)
	var c CLBAccess
	if err := ParseCLBAccess(clb, &c); err != nil {
		t.Fatal(err)
	}
	if c.Client != (Addr{v6, 2817}) {
		t.Errorf("clb client %+v, want %s:2817", c.Client, v6)
	}
}

// TestDetect_Boundaries: the shapes just inside and just outside what Detect
// accepts as a timestamp, an IP address and a port.
func TestDetect_Boundaries(t *testing.T) {
	t.Parallel()
	clbRest := " my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 \"GET http://h:80/ HTTP/1.1\" \"curl/7.38.0\" - -"
	connRest := " 203.0.113.10 51412 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 0.011 \"-\" - - Success TID_9b2f"
	tests := map[string]struct {
		line string
		want Format
	}{
		"19-char timestamp":           {"2015-05-13T23:39:43" + clbRest, FormatCLBAccess},
		"18-char timestamp":           {"2015-05-13T23:39:4" + clbRest, FormatUnknown},
		"lower-case t":                {"2015-05-13t23:39:43.945958Z" + clbRest, FormatCLBAccess},
		"blank for T":                 {"2015-05-13 23:39:43.945958Z" + clbRest, FormatUnknown},
		"slash for dash":              {"2015/05-13T23:39:43.945958Z" + clbRest, FormatUnknown},
		"second slash for dash":       {"2015-05/13T23:39:43.945958Z" + clbRest, FormatUnknown},
		"dot for colon":               {"2015-05-13T23.39:43.945958Z" + clbRest, FormatUnknown},
		"letter in year":              {"2o15-05-13T23:39:43.945958Z" + clbRest, FormatUnknown},
		"letter in hour":              {"2015-05-13T2x:39:43.945958Z" + clbRest, FormatUnknown},
		"connection, port 1 digit":    {"2024-03-14T09:26:53.364417Z 203.0.113.10 5" + connRest[len(" 203.0.113.10 51412"):], FormatALBConnection},
		"connection, port 6 digits":   {"2024-03-14T09:26:53.364417Z 203.0.113.10 514120" + connRest[len(" 203.0.113.10 51412"):], FormatUnknown},
		"connection, port a word":     {"2024-03-14T09:26:53.364417Z 203.0.113.10 abc" + connRest[len(" 203.0.113.10 51412"):], FormatUnknown},
		"connection, port ends a-z":   {"2024-03-14T09:26:53.364417Z 203.0.113.10 5141x" + connRest[len(" 203.0.113.10 51412"):], FormatUnknown},
		"connection":                  {"2024-03-14T09:26:53.364417Z" + connRest, FormatALBConnection},
		"connection, ip with a g":     {"2024-03-14T09:26:53.364417Z 203.0.113.g" + connRest[len(" 203.0.113.10"):], FormatUnknown},
		"connection, hex ipv6":        {"2024-03-14T09:26:53.364417Z fd00:ABCD::ef" + connRest[len(" 203.0.113.10"):], FormatALBConnection},
		"connection, ip without dots": {"2024-03-14T09:26:53.364417Z 2030113" + connRest[len(" 203.0.113.10"):], FormatUnknown},
		"clb, client without port":    {"2015-05-13T23:39:43.945958Z my-lb 192.168.131.39 10.0.0.1:80 0 0 0 200 200 0 29 \"-\" \"-\" - -", FormatUnknown},
		"clb, client :port only":      {"2015-05-13T23:39:43.945958Z my-lb :2817 10.0.0.1:80 0 0 0 200 200 0 29 \"-\" \"-\" - -", FormatUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Detect(tc.line); got != tc.want {
				t.Errorf("Detect(%.60q...) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

// TestParseRequest_Edges: requests ELB logs for clients that send odd request
// lines.
func TestParseRequest_Edges(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want Request
	}{
		"leading blank":     {" /a HTTP/1.1", Request{URL: "/a", Proto: "HTTP/1.1", Path: "/a"}},
		"fragment only":     {"GET #top HTTP/1.1", Request{Method: "GET", URL: "#top", Proto: "HTTP/1.1"}},
		"fragment and path": {"GET /a#top HTTP/1.1", Request{Method: "GET", URL: "/a#top", Proto: "HTTP/1.1", Path: "/a"}},
		"fragment in query": {"GET /a?q#top HTTP/1.1", Request{Method: "GET", URL: "/a?q#top", Proto: "HTTP/1.1", Path: "/a", Query: "q"}},
		"no scheme":         {"GET ://h/a HTTP/1.1", Request{Method: "GET", URL: "://h/a", Proto: "HTTP/1.1", Path: "://h/a"}},
		"empty host":        {"GET http:///a HTTP/1.1", Request{Method: "GET", URL: "http:///a", Proto: "HTTP/1.1", Scheme: "http", Path: "/a"}},
		"url in the query": {"GET /x?u=http://h/ HTTP/1.1", Request{Method: "GET", URL: "/x?u=http://h/", Proto: "HTTP/1.1",
			Path: "/x", Query: "u=http://h/"}},
		"scheme starting with a digit": {"GET 1a://h/ HTTP/1.1", Request{Method: "GET", URL: "1a://h/", Proto: "HTTP/1.1", Path: "1a://h/"}},
		"scheme with + - . and digits": {"GET s3+v1.x-2://h/ HTTP/1.1", Request{Method: "GET", URL: "s3+v1.x-2://h/", Proto: "HTTP/1.1",
			Scheme: "s3+v1.x-2", Host: "h", Path: "/"}},
		"empty user info": {"GET http://@h:81/ HTTP/1.1", Request{Method: "GET", URL: "http://@h:81/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Port: 81, Path: "/"}},
		"port without host": {"GET http://:80/ HTTP/1.1", Request{Method: "GET", URL: "http://:80/", Proto: "HTTP/1.1",
			Scheme: "http", Port: 80, Path: "/"}},
		"unbracketed ::1": {"GET http://::1/ HTTP/1.1", Request{Method: "GET", URL: "http://::1/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "::1", Path: "/"}},
		"bracketed, colon without port": {"GET http://[::1]:/ HTTP/1.1", Request{Method: "GET", URL: "http://[::1]:/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "::1", Path: "/"}},
		"unclosed bracket": {"GET http://[::1/ HTTP/1.1", Request{Method: "GET", URL: "http://[::1/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "[::1", Path: "/"}},
		"empty brackets": {"GET http://[]:80/ HTTP/1.1", Request{Method: "GET", URL: "http://[]:80/", Proto: "HTTP/1.1",
			Scheme: "http", Port: 80, Path: "/"}},
		"bracketed, one-digit port": {"GET http://[::1]:8/ HTTP/1.1", Request{Method: "GET", URL: "http://[::1]:8/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "::1", Port: 8, Path: "/"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := parseRequest(tc.in); got != tc.want {
				t.Errorf("parseRequest(%q) =\n%+v, want\n%+v", tc.in, got, tc.want)
			}
		})
	}
}

// TestTokenize_Edges: text after a quoted segment belongs to its field up to
// the next unquoted space; a backslash that escapes nothing is kept.
func TestTokenize_Edges(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line   string
		want   []string
		wantOK bool
	}{
		"text after the quote":       {`"a"b c`, []string{`"a"b`, "c"}, true},
		"text then a quoted segment": {`"a"b"c d"e f`, []string{`"a"b"c d"e`, "f"}, true},
		"quote at the end":           {`"a"b"`, []string{`"a"b"`}, false},
		"backslash, nothing escaped": {`"a\d" b`, []string{`a\d`, "b"}, true},
		"backslash at the start":     {`"\d" b`, []string{`\d`, "b"}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := tokenize(nil, tc.line)
			if ok != tc.wantOK || strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("tokenize(%q) = %q, %v, want %q, %v", tc.line, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestListItems_QuotedSeparator: a quoted item may end with the separator.
func TestListItems_QuotedSeparator(t *testing.T) {
	t.Parallel()
	got := ls(`"a,","b"`, ',').Items()
	if strings.Join(got, "|") != "a,|b" || len(got) != 2 {
		t.Errorf("Items() = %q, want [a, b]", got)
	}
}

// TestParseError_QuotesTheValue: the error quotes a bad value whole up to 64
// bytes, and cut to 64 bytes with "..." beyond.
func TestParseError_QuotesTheValue(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 63, 64, 65, 200} {
		bad := strings.Repeat("x", n)
		want := `"` + bad + `"`
		if n > 64 {
			want = `"` + bad[:64] + `..."`
		}
		var r ALBAccess
		err := ParseALBAccess(strings.Replace(albDocHTTP, " 200 200 ", " "+bad+" 200 ", 1), &r)
		if err == nil || !strings.HasSuffix(err.Error(), "field 9 (elb_status_code): invalid integer "+want) {
			t.Errorf("%d bytes: err = %v, want it to end with %s", n, err, want)
		}
	}
}

// TestParseTime_Boundaries: each part of a timestamp at its largest and
// smallest value, and one past it.
func TestParseTime_Boundaries(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want string // RFC 3339 in UTC, or "" for an error
	}{
		"leap second":              {"2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"},
		"second 61":                {"2016-12-31T23:59:61Z", ""},
		"minute 59":                {"2016-12-31T23:59:00Z", "2016-12-31T23:59:00Z"},
		"minute 60":                {"2016-12-31T23:60:00Z", ""},
		"hour 23":                  {"2016-12-31T23:00:00Z", "2016-12-31T23:00:00Z"},
		"month 12, day 31":         {"2016-12-31T00:00:00Z", "2016-12-31T00:00:00Z"},
		"day 32":                   {"2016-12-32T00:00:00Z", ""},
		"day 0":                    {"2016-12-00T00:00:00Z", ""},
		"month 0":                  {"2016-00-10T00:00:00Z", ""},
		"month 1":                  {"2016-01-10T00:00:00Z", "2016-01-10T00:00:00Z"},
		"april 31":                 {"2016-04-31T00:00:00Z", ""},
		"february 29, 2000":        {"2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z"},
		"february 29, 1900":        {"1900-02-29T00:00:00Z", ""},
		"february 29, 2023":        {"2023-02-29T00:00:00Z", ""},
		"year 0, january":          {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"},
		"year 0, february 29":      {"0000-02-29T12:00:00Z", "0000-02-29T12:00:00Z"},
		"year 0, march":            {"0000-03-01T00:00:00Z", "0000-03-01T00:00:00Z"},
		"year 9999":                {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
		"fraction to the end":      {"2018-12-20T02:59:40.123", "2018-12-20T02:59:40.123Z"},
		"lower-case t and z":       {"2018-12-20t02:59:40z", "2018-12-20T02:59:40Z"},
		"offset +23:59":            {"2024-03-14T23:59:00+23:59", "2024-03-14T00:00:00Z"},
		"offset -00:01":            {"2024-03-14T00:00:00-00:01", "2024-03-14T00:01:00Z"},
		"offset hour 24":           {"2024-03-14T10:00:00+24:00", ""},
		"offset minute 60":         {"2024-03-14T10:00:00+00:60", ""},
		"offset without its colon": {"2024-03-14T10:00:00+01-00", ""},
		"offset with a letter":     {"2024-03-14T10:00:00+0a:00", ""},
		"second colon missing":     {"2024-03-14T10:00-00", ""},
		"trailing text after zone": {"2024-03-14T10:00:00Zx", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseTime(tc.in)
			if tc.want == "" {
				if ok {
					t.Errorf("parseTime(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			want, err := time.Parse(time.RFC3339Nano, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || !got.Equal(want) {
				t.Errorf("parseTime(%q) = %v, %v, want %v", tc.in, got, ok, want)
			}
		})
	}
}

// TestParseFloat_ManyDigits: numbers past the 15 digits the fast path takes
// are still read exactly.
func TestParseFloat_ManyDigits(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0.1234567890123456", "1.23456789012345678", "123456789012345678901", "-0.00000000000000001", "100000000000000.5"} {
		want, _ := strconv.ParseFloat(s, 64)
		if got, ok := parseFloat(s); !ok || got != want {
			t.Errorf("parseFloat(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
}
