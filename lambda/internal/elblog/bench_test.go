package elblog

import (
	"strconv"
	"strings"
	"testing"
)

// benchLines returns n lines made from the examples, each with its own client port
// so that no two lines are the same.
func benchLines(examples []string, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		l := examples[i%len(examples)]
		lines[i] = strings.Replace(l, ":2817 ", ":"+strconv.Itoa(1024+i)+" ", 1)
	}
	return lines
}

func BenchmarkParse(b *testing.B) {
	alb := []string{albDocHTTP, albOTelHTTPS30, albDocH2Redirect, albDocWSS, albDocLambdaError,
		albVRLMalformed, albVRLIssue861, albVRL33Unquoted, albIPv6}
	formats := []struct {
		name     string
		examples []string
		parse    func(string) error
	}{
		{"alb_access", alb, func() func(string) error {
			var r ALBAccess
			return func(l string) error { return ParseALBAccess(l, &r) }
		}()},
		{"alb_connection", []string{connSuccess, connFailed, connNoCert, connTrailing}, func() func(string) error {
			var r ALBConnection
			return func(l string) error { return ParseALBConnection(l, &r) }
		}()},
		{"nlb_access", []string{nlbDoc21, nlbOTel22, nlbIPv6}, func() func(string) error {
			var r NLBAccess
			return func(l string) error { return ParseNLBAccess(l, &r) }
		}()},
		{"clb_access", []string{clbHTTP, clbHTTPS, clbTCP, clbSSL}, func() func(string) error {
			var r CLBAccess
			return func(l string) error { return ParseCLBAccess(l, &r) }
		}()},
	}
	for _, f := range formats {
		for _, n := range []int{1, 1000} {
			name := f.name + "/1_line"
			if n > 1 {
				name = f.name + "/" + strconv.Itoa(n) + "_lines"
			}
			lines := benchLines(f.examples, n)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				var bytes int64
				for _, l := range lines {
					bytes += int64(len(l))
				}
				b.SetBytes(bytes)
				for b.Loop() {
					for _, l := range lines {
						if err := f.parse(l); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
			})
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Detect(connSuccess)
	}
}
