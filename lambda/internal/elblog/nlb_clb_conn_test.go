package elblog

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNLBAccess(t *testing.T) {
	t.Parallel()
	doc := func(edit func(r *NLBAccess)) NLBAccess {
		r := NLBAccess{
			Type:               "tls",
			Version:            "2.0",
			Time:               ts(t, "2018-12-20T02:59:40"),
			ELB:                "net/my-network-loadbalancer/c6e77e28c25b2234",
			Listener:           "g3d4b5e8bb8464cd",
			Client:             ad("72.21.218.154", 51341),
			Destination:        ad("172.100.100.185", 443),
			ConnectionTime:     vi(5),
			TLSHandshakeTime:   vi(2),
			ReceivedBytes:      vi(98),
			SentBytes:          vi(246),
			ChosenCertARN:      "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99",
			TLSCipher:          "ECDHE-RSA-AES128-SHA",
			TLSProtocolVersion: "tlsv12",
			DomainName:         "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
		}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	tests := map[string]struct {
		line   string
		fields int
		want   NLBAccess
	}{
		"doc example, 21 fields": {
			line: nlbDoc21, fields: 21,
			want: doc(nil),
		},
		"otel testdata, 22 fields, alpn list": {
			line: nlbOTel22, fields: 22,
			want: doc(func(r *NLBAccess) {
				r.Time = ts(t, "2020-04-01T08:51:42")
				r.ALPNFrontEndProtocol, r.ALPNBackEndProtocol = "h2", "h2"
				r.ALPNClientPreferenceList = ls(`"h2","http/1.1"`, ',')
				r.TLSConnectionCreationTime = ts(t, "2020-04-01T08:51:20")
			}),
		},
		"ipv6 client and destination": {
			line: nlbIPv6, fields: 22,
			want: NLBAccess{
				Type:                      "tls",
				Version:                   "2.0",
				Time:                      ts(t, "2026-04-29T07:46:43"),
				ELB:                       "net/my-internet-nlb/xxxxxxxxxxxx",
				Listener:                  "xxxxxxxxxxxxxxxx",
				Client:                    ad("2401:4900:1d0c:29b7:c9b2:7b5a:e7d0:2380", 55932),
				Destination:               ad("2406:da1a:138:7c01:63c:b510:129f:89f1", 443),
				ConnectionTime:            vi(35040),
				TLSHandshakeTime:          vi(48),
				ReceivedBytes:             vi(2150),
				SentBytes:                 vi(1726),
				ChosenCertARN:             "arn:aws:acm:ap-south-1:xxxxxxxxxxxx:certificate/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
				TLSCipher:                 "TLS_AES_128_GCM_SHA256",
				TLSProtocolVersion:        "tlsv13",
				TLSNamedGroup:             "x25519",
				DomainName:                "example.com",
				TLSConnectionCreationTime: ts(t, "2026-04-29T07:46:08"),
			},
		},
		"single quoted alpn item, tls alert, no handshake time": {
			line:   strings.Replace(strings.Replace(nlbOTel22, ` "h2","http/1.1" `, ` "h2" `, 1), " 5 2 98 246 - ", " 5 - 98 246 112 ", 1),
			fields: 22,
			want: doc(func(r *NLBAccess) {
				r.Time = ts(t, "2020-04-01T08:51:42")
				r.TLSHandshakeTime = Int{}
				r.IncomingTLSAlert = "112"
				r.ALPNFrontEndProtocol, r.ALPNBackEndProtocol = "h2", "h2"
				r.ALPNClientPreferenceList = ls("h2", ',')
				r.TLSConnectionCreationTime = ts(t, "2020-04-01T08:51:20")
			}),
		},
		"unknown trailing fields": {
			line: nlbOTel22 + " future -", fields: 24,
			want: doc(func(r *NLBAccess) {
				r.Time = ts(t, "2020-04-01T08:51:42")
				r.ALPNFrontEndProtocol, r.ALPNBackEndProtocol = "h2", "h2"
				r.ALPNClientPreferenceList = ls(`"h2","http/1.1"`, ',')
				r.TLSConnectionCreationTime = ts(t, "2020-04-01T08:51:20")
				r.Extra = []string{"future", "-"}
			}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r NLBAccess
			if err := ParseNLBAccess(tc.line, &r); err != nil {
				t.Fatalf("ParseNLBAccess: %v", err)
			}
			if len(r.Fields) != tc.fields {
				t.Errorf("got %d fields, want %d", len(r.Fields), tc.fields)
			}
			assertRecord(t, r, tc.want)
		})
	}
}

func TestParseCLBAccess(t *testing.T) {
	t.Parallel()
	base := func(edit func(r *CLBAccess)) CLBAccess {
		r := CLBAccess{
			Time:                   ts(t, "2015-05-13T23:39:43.945958Z"),
			ELB:                    "my-loadbalancer",
			Client:                 ad("192.168.131.39", 2817),
			Backend:                ad("10.0.0.1", 80),
			RequestProcessingTime:  vf(0.000073),
			BackendProcessingTime:  vf(0.001048),
			ResponseProcessingTime: vf(0.000057),
			ELBStatusCode:          vi(200),
			BackendStatusCode:      vi(200),
			ReceivedBytes:          vi(0),
			SentBytes:              vi(29),
			Request: Request{Method: "GET", URL: "http://www.example.com:80/", Proto: "HTTP/1.1",
				Scheme: "http", Host: "www.example.com", Port: 80, Path: "/"},
			UserAgent: "curl/7.38.0",
		}
		if edit != nil {
			edit(&r)
		}
		return r
	}
	tests := map[string]struct {
		line string
		want CLBAccess
	}{
		"http listener": {line: clbHTTP, want: base(nil)},
		"https listener": {line: clbHTTPS, want: base(func(r *CLBAccess) {
			r.RequestProcessingTime, r.ResponseProcessingTime = vf(0.000086), vf(0.001337)
			r.SentBytes = vi(57)
			r.Request = Request{Method: "GET", URL: "https://www.example.com:443/", Proto: "HTTP/1.1",
				Scheme: "https", Host: "www.example.com", Port: 443, Path: "/"}
			r.SSLCipher, r.SSLProtocol = "DHE-RSA-AES128-SHA", "TLSv1.2"
		})},
		"tcp listener": {line: clbTCP, want: base(func(r *CLBAccess) {
			r.RequestProcessingTime, r.BackendProcessingTime, r.ResponseProcessingTime = vf(0.001069), vf(0.000028), vf(0.000041)
			r.ELBStatusCode, r.BackendStatusCode = Int{}, Int{}
			r.ReceivedBytes, r.SentBytes = vi(82), vi(305)
			r.Request = Request{}
			r.UserAgent = ""
		})},
		"ssl listener": {line: clbSSL, want: base(func(r *CLBAccess) {
			r.RequestProcessingTime, r.BackendProcessingTime, r.ResponseProcessingTime = vf(0.001065), vf(0.000015), vf(0.000023)
			r.ELBStatusCode, r.BackendStatusCode = Int{}, Int{}
			r.ReceivedBytes, r.SentBytes = vi(57), vi(502)
			r.Request = Request{}
			r.UserAgent = ""
			r.SSLCipher, r.SSLProtocol = "ECDHE-ECDSA-AES128-GCM-SHA256", "TLSv1.2"
		})},
		"ipv6 client, no backend, -1 times, 504": {
			line: "2015-05-13T23:39:43.945958Z my-loadbalancer 2001:db8::7:2817 - -1 -1 -1 504 0 0 0 " +
				`"GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`,
			want: base(func(r *CLBAccess) {
				r.Client, r.Backend = ad("2001:db8::7", 2817), Addr{}
				r.RequestProcessingTime, r.BackendProcessingTime, r.ResponseProcessingTime = vf(-1), vf(-1), vf(-1)
				r.ELBStatusCode, r.BackendStatusCode = vi(504), vi(0)
				r.SentBytes = vi(0)
			}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r CLBAccess
			if err := ParseCLBAccess(tc.line, &r); err != nil {
				t.Fatalf("ParseCLBAccess: %v", err)
			}
			assertRecord(t, r, tc.want)
		})
	}
}

func TestParseALBConnection(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		line string
		want ALBConnection
	}{
		"verified client certificate": {
			line: connSuccess,
			want: ALBConnection{
				Time:                       ts(t, "2024-03-14T09:26:53.364417Z"),
				ClientIP:                   "203.0.113.10",
				ClientPort:                 51412,
				ListenerPort:               443,
				TLSProtocol:                "TLSv1.2",
				TLSCipher:                  "ECDHE-RSA-AES128-GCM-SHA256",
				TLSHandshakeLatency:        vf(0.011),
				LeafClientCertSubject:      "CN=client.example.com,O=Example Corp,C=US",
				LeafClientCertValidity:     "NotBefore=2024-01-01T00:00:00Z;NotAfter=2025-01-01T00:00:00Z",
				LeafClientCertSerialNumber: "0A1B2C3D4E5F6071",
				TLSVerifyStatus:            "Success",
				ConnTraceID:                "TID_9b2f8e1c0d3a4b5c6d7e8f9011223344",
			},
		},
		"failed verification, escaped quotes in the subject": {
			line: connFailed,
			want: ALBConnection{
				Time:                       ts(t, "2024-03-14T09:26:54.001002Z"),
				ClientIP:                   "198.51.100.7",
				ClientPort:                 40122,
				ListenerPort:               8443,
				TLSProtocol:                "TLSv1.3",
				TLSCipher:                  "TLS_AES_128_GCM_SHA256",
				TLSHandshakeLatency:        vf(0.004),
				LeafClientCertSubject:      `CN=old client, O="Quoted" Inc`,
				LeafClientCertValidity:     "NotBefore=2023-01-01T00:00:00Z;NotAfter=2023-06-01T00:00:00Z",
				LeafClientCertSerialNumber: "7F00AA",
				TLSVerifyStatus:            "Failed:ClientCertExpired",
				ConnTraceID:                "TID_0123456789abcdef0123456789abcdef",
			},
		},
		"no client certificate, ipv6, zone offset": {
			line: connNoCert,
			want: ALBConnection{
				Time:                ts(t, "2024-03-14T09:26:55.5Z"),
				ClientIP:            "2001:db8::1",
				ClientPort:          60000,
				ListenerPort:        443,
				TLSProtocol:         "TLSv1.3",
				TLSCipher:           "TLS_AES_256_GCM_SHA384",
				TLSHandshakeLatency: vf(0.002),
				TLSVerifyStatus:     "Success",
				ConnTraceID:         "TID_00112233445566778899aabbccddeeff",
			},
		},
		"trailing field": {
			line: connTrailing,
			want: ALBConnection{
				Time:                ts(t, "2024-03-14T09:26:56Z"),
				ClientIP:            "10.1.2.3",
				ClientPort:          1025,
				ListenerPort:        443,
				TLSProtocol:         "TLSv1.3",
				TLSCipher:           "TLS_AES_128_GCM_SHA256",
				TLSHandshakeLatency: vf(0.003),
				TLSVerifyStatus:     "Success",
				ConnTraceID:         "TID_ffeeddccbbaa99887766554433221100",
				Extra:               []string{"x25519"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var r ALBConnection
			if err := ParseALBConnection(tc.line, &r); err != nil {
				t.Fatalf("ParseALBConnection: %v", err)
			}
			assertRecord(t, r, tc.want)
		})
	}
}

func TestParse_ShortLines(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		parse   func(string) error
		line    string
		format  Format
		wantErr string
	}{
		"nlb, 20 fields": {
			parse:   func(l string) error { return ParseNLBAccess(l, &NLBAccess{}) },
			line:    nlbDoc21[:strings.LastIndexByte(nlbDoc21, ' ')],
			format:  FormatNLBAccess,
			wantErr: "nlb_access line has 20 fields, want at least 21",
		},
		"clb, 14 fields": {
			parse:   func(l string) error { return ParseCLBAccess(l, &CLBAccess{}) },
			line:    clbTCP[:strings.LastIndexByte(clbTCP, ' ')],
			format:  FormatCLBAccess,
			wantErr: "clb_access line has 14 fields, want at least 15",
		},
		"alb connection, 11 fields": {
			parse:   func(l string) error { return ParseALBConnection(l, &ALBConnection{}) },
			line:    connSuccess[:strings.LastIndexByte(connSuccess, ' ')],
			format:  FormatALBConnection,
			wantErr: "alb_connection line has 11 fields, want at least 12",
		},
		"nlb, bad connection time": {
			parse:   func(l string) error { return ParseNLBAccess(l, &NLBAccess{}) },
			line:    strings.Replace(nlbDoc21, " 5 2 ", " five 2 ", 1),
			format:  FormatNLBAccess,
			wantErr: `nlb_access line: field 8 (connection_time): invalid integer "five"`,
		},
		"clb, bad time": {
			parse:   func(l string) error { return ParseCLBAccess(l, &CLBAccess{}) },
			line:    strings.Replace(clbHTTP, "23:39:43.945958Z", "23:39:43.945958Q", 1),
			format:  FormatCLBAccess,
			wantErr: `clb_access line: field 1 (time): invalid time "2015-05-13T23:39:43.945958Q"`,
		},
		"alb connection, bad port": {
			parse:   func(l string) error { return ParseALBConnection(l, &ALBConnection{}) },
			line:    strings.Replace(connSuccess, " 443 ", " https ", 1),
			format:  FormatALBConnection,
			wantErr: `alb_connection line: field 4 (listener_port): invalid port "https"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := tc.parse(tc.line)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != tc.format {
				t.Errorf("error = %#v, want a *ParseError for %v", err, tc.format)
			}
		})
	}
}
