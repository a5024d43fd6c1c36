package elblog

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line string
		want Format
	}{
		"alb http":                   {albDocHTTP, FormatALBAccess},
		"alb https":                  {albOTelHTTPS30, FormatALBAccess},
		"alb h2":                     {albDocH2Redirect, FormatALBAccess},
		"alb wss":                    {albDocWSS, FormatALBAccess},
		"alb malformed request":      {albVRLMalformed, FormatALBAccess},
		"alb 33 fields":              {albVRL33Unquoted, FormatALBAccess},
		"alb ipv6":                   {albIPv6, FormatALBAccess},
		"alb grpcs":                  {"grpcs " + albDocHTTP[5:], FormatALBAccess},
		"alb ws":                     {"ws " + albDocHTTP[5:], FormatALBAccess},
		"nlb 21 fields":              {nlbDoc21, FormatNLBAccess},
		"nlb 22 fields":              {nlbOTel22, FormatNLBAccess},
		"nlb ipv6":                   {nlbIPv6, FormatNLBAccess},
		"clb http":                   {clbHTTP, FormatCLBAccess},
		"clb https":                  {clbHTTPS, FormatCLBAccess},
		"clb tcp":                    {clbTCP, FormatCLBAccess},
		"clb ssl":                    {clbSSL, FormatCLBAccess},
		"clb ipv6 client":            {strings.Replace(clbHTTP, "192.168.131.39:2817", "2001:db8::7:2817", 1), FormatCLBAccess},
		"alb connection":             {connSuccess, FormatALBConnection},
		"alb connection failed":      {connFailed, FormatALBConnection},
		"alb connection ipv6":        {connNoCert, FormatALBConnection},
		"alb connection trailing":    {connTrailing, FormatALBConnection},
		"leading spaces":             {"  " + nlbDoc21, FormatNLBAccess},
		"control line":               {"Enable ConnectionLogs for ELB: app/my-lb/123 at 2024-03-14T09:26:53.364417Z", FormatUnknown},
		"blank":                      {"", FormatUnknown},
		"unknown first field":        {"ftp 2018-07-02T22:23:00.186641Z x y", FormatUnknown},
		"timestamp, then words":      {"2018-07-02T22:23:00.186641Z hello world", FormatUnknown},
		"timestamp only":             {"2018-07-02T22:23:00.186641Z", FormatUnknown},
		"json":                       {`{"type":"http"}`, FormatUnknown},
		"upper-case type is unknown": {"HTTP " + albDocHTTP[5:], FormatUnknown},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Detect(tc.line); got != tc.want {
				t.Errorf("Detect() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIsControlLine(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line string
		want bool
	}{
		"empty":          {"", true},
		"spaces":         {"   ", true},
		"newline":        {"\r\n", true},
		"tab":            {"\t", true},
		"enable message": {"Enable AccessLog for ELB: app/my-lb/50dc6c495c0c9188 at 2024-01-01T00:00:00.000000Z", true},
		"enable, indent": {"  EnableControlMessage", true},
		"alb line":       {albDocHTTP, false},
		"nlb line":       {nlbDoc21, false},
		"clb line":       {clbHTTP, false},
		"conn line":      {connSuccess, false},
		"garbage":        {"x", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := IsControlLine(tc.line); got != tc.want {
				t.Errorf("IsControlLine(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

func TestFormatString(t *testing.T) {
	t.Parallel()
	tests := map[Format]string{
		FormatUnknown:       "unknown",
		FormatALBAccess:     "alb_access",
		FormatALBConnection: "alb_connection",
		FormatNLBAccess:     "nlb_access",
		FormatCLBAccess:     "clb_access",
		Format(200):         "unknown",
	}
	for f, want := range tests {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", f, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line   string
		want   []string
		wantOK bool
	}{
		"empty":                 {"", nil, true},
		"plain":                 {"a b c", []string{"a", "b", "c"}, true},
		"runs of spaces":        {"  a   b  ", []string{"a", "b"}, true},
		"quoted":                {`a "b c" d`, []string{"a", "b c", "d"}, true},
		"quoted empty":          {`a "" d`, []string{"a", "", "d"}, true},
		"quoted dash":           {`"-"`, []string{"-"}, true},
		"quoted trailing space": {`"- - - " x`, []string{"- - - ", "x"}, true},
		"escaped quote":         {`a "b \"c\" d" e`, []string{"a", `b "c" d`, "e"}, true},
		"escaped backslash":     {`"a\\" b`, []string{`a\`, "b"}, true},
		"other backslash kept":  {`"a\d\\\"" b`, []string{`a\d\"`, "b"}, true},
		"alpn list":             {`h2 "h2","http/1.1" 2020-04-01T08:51:20`, []string{"h2", `"h2","http/1.1"`, "2020-04-01T08:51:20"}, true},
		"alpn list at end":      {`x "h2","http/1.1"`, []string{"x", `"h2","http/1.1"`}, true},
		"composite with space":  {`"a","b c" d`, []string{`"a","b c"`, "d"}, true},
		"quote inside unquoted": {`ab"c d`, []string{`ab"c`, "d"}, true},
		"crlf":                  {"a b\r\n", []string{"a", "b"}, true},
		"unclosed quote":        {`a "b c`, []string{"a", "b c"}, false},
		"unclosed composite":    {`a "b",c"d e`, []string{"a", `"b",c"d e`}, false},
		"escaped closing quote": {`a "b\"`, []string{"a", `b\"`}, false},
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

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want string // RFC 3339 in UTC, or "" for an error
	}{
		"alb microseconds":     {"2018-07-02T22:23:00.186641Z", "2018-07-02T22:23:00.186641Z"},
		"nlb no zone":          {"2018-12-20T02:59:40", "2018-12-20T02:59:40Z"},
		"rfc3339 offset":       {"2024-03-14T10:26:55.5+01:00", "2024-03-14T09:26:55.5Z"},
		"negative offset":      {"2024-03-14T10:26:55-05:30", "2024-03-14T15:56:55Z"},
		"nanoseconds":          {"2024-03-14T10:26:55.123456789Z", "2024-03-14T10:26:55.123456789Z"},
		"more than nanos":      {"2024-03-14T10:26:55.1234567891Z", "2024-03-14T10:26:55.123456789Z"},
		"leap day":             {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		"1970":                 {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		"before 1970":          {"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z"},
		"year 2000":            {"2000-03-01T00:00:00Z", "2000-03-01T00:00:00Z"},
		"no leap day in 2100":  {"2100-02-29T00:00:00Z", ""},
		"month 13":             {"2018-13-02T22:23:00Z", ""},
		"hour 24":              {"2018-12-02T24:23:00Z", ""},
		"empty fraction":       {"2018-12-02T22:23:00.Z", ""},
		"bad zone":             {"2018-12-02T22:23:00+0100", ""},
		"short":                {"2018-12-02", ""},
		"space separator":      {"2018-12-02 22:23:00Z", ""},
		"letters in the clock": {"2018-12-02T2a:23:00Z", ""},
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
			if !ok || !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("parseTime(%q) = %v, %v, want %v", tc.in, got, ok, want)
			}
		})
	}
}

// TestParseTime_Days checks daysFromCivil over four centuries against the standard
// library.
func TestParseTime_Days(t *testing.T) {
	t.Parallel()
	for d := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2301; d = d.AddDate(0, 0, 1) {
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()); got*86400 != d.Unix() {
			t.Fatalf("daysFromCivil(%v) = %d, want %d", d.Format(time.DateOnly), got, d.Unix()/86400)
		}
	}
}

func TestParseFloat(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "0.000", "0.001", "-1", "0.086", "0.000073", "1.5", "123456.789012",
		"0.123456789012345", "12345678901234567", "1e-3", "3.", ".5", "-0.0", "99999999999999.9"} {
		want, err := strconv.ParseFloat(s, 64)
		got, ok := parseFloat(s)
		if (err == nil) != ok || (ok && got != want) {
			t.Errorf("parseFloat(%q) = %v, %v, want %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"", "-", "abc", "1.2.3", "NaN", "Inf", "1,5", "--1"} {
		if got, ok := parseFloat(s); ok {
			t.Errorf("parseFloat(%q) = %v, want an error", s, got)
		}
	}
	if got, _ := parseFloat("-0"); !math.Signbit(got) {
		t.Errorf("parseFloat(-0) lost the sign")
	}
}

func TestParseInt(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0", "200", "-1", "+7", "10160", "9223372036854775807", "-9223372036854775808", "123456789012345678"} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt(s)
		if (err == nil) != ok || got != want {
			t.Errorf("parseInt(%q) = %v, %v, want %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"", "-", "+", "2x0", "1.0", "9223372036854775808", " 1"} {
		if got, ok := parseInt(s); ok {
			t.Errorf("parseInt(%q) = %v, want an error", s, got)
		}
	}
}

func TestParseRequest(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want Request
	}{
		"plain": {"GET http://www.example.com:80/ HTTP/1.1", Request{Method: "GET", URL: "http://www.example.com:80/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "www.example.com", Port: 80, Path: "/"}},
		"query": {"POST https://h:443/a/b?x=1&y=2 HTTP/2.0", Request{Method: "POST", URL: "https://h:443/a/b?x=1&y=2", Proto: "HTTP/2.0",
			Scheme: "https", Host: "h", Port: 443, Path: "/a/b", Query: "x=1&y=2"}},
		"spaces in uri": {"GET http://h:80/a b c HTTP/1.1", Request{Method: "GET", URL: "http://h:80/a b c", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Port: 80, Path: "/a b c"}},
		"no path": {"GET http://h:80 HTTP/1.1", Request{Method: "GET", URL: "http://h:80", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Port: 80}},
		"query without path": {"GET http://h?q HTTP/1.1", Request{Method: "GET", URL: "http://h?q", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Query: "q"}},
		"user info": {"GET http://u:p@h:81/ HTTP/1.1", Request{Method: "GET", URL: "http://u:p@h:81/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Port: 81, Path: "/"}},
		"bracketed ipv6": {"GET http://[2001:db8::1]:80/ HTTP/1.1", Request{Method: "GET", URL: "http://[2001:db8::1]:80/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "2001:db8::1", Port: 80, Path: "/"}},
		"unbracketed ipv6 host": {"GET http://2001:db8::1/ HTTP/1.1", Request{Method: "GET", URL: "http://2001:db8::1/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "2001:db8::1", Path: "/"}},
		"malformed": {"- http://h.example:80- -", Request{URL: "http://h.example:80-", Scheme: "http", Host: "h.example"}},
		"clb tcp":   {"- - - ", Request{}},
		"dash":      {"-", Request{}},
		"empty":     {"", Request{}},
		"one word":  {"garbage", Request{URL: "garbage", Path: "garbage"}},
		"two words": {"GET /", Request{Method: "GET", URL: "/", Path: "/"}},
		"origin form": {"GET /index.html?a HTTP/1.0", Request{Method: "GET", URL: "/index.html?a", Proto: "HTTP/1.0",
			Path: "/index.html", Query: "a"}},
		"bad port": {"GET http://h:99999/ HTTP/1.1", Request{Method: "GET", URL: "http://h:99999/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "h", Path: "/"}},
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
