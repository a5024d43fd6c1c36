package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func receiver(t *testing.T) *otlptest.Receiver {
	t.Helper()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func shipper(t *testing.T, r *otlptest.Receiver, opts pipeline.Options) *pipeline.Shipper {
	t.Helper()
	exp, err := otlpexport.New(otlpexport.Config{
		Endpoint: r.URL + "/v1/logs",
		// Generous: under -race on a busy machine an answer can take seconds, and
		// a timeout re-sends what the receiver may already have.
		Timeout: 30 * time.Second,
		Retry:   otlpexport.RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond, MaxElapsed: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.NewShipper(exp, opts)
}

// exactlyOnce checks that the receiver holds each of lines exactly once, in
// any order, each with its own log.record.uid, and nothing else.
func exactlyOnce(t *testing.T, recs []otlptest.Record, lines []string) {
	t.Helper()
	for _, p := range otlptest.CheckExactlyOnce(recs, otlptest.Expected{Name: "the input", Lines: lines}) {
		t.Error(p)
	}
}

func genLines(kind loggen.Kind, n int) ([]string, []byte, []byte) {
	g := loggen.New(kind, 3, start)
	lines := make([]string, n)
	var plain bytes.Buffer
	for i := range lines {
		lines[i] = g.Line()
		plain.WriteString(lines[i] + "\n")
	}
	return lines, plain.Bytes(), gzipBytes(plain.Bytes())
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestShip_EveryLineArrivesOnce(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		kind loggen.Kind
		gzip bool
		key  string
	}{
		"alb gzip":        {loggen.ALB, true, "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/123456789012_elasticloadbalancing_eu-west-1_app.shop-frontend.50dc6c495c0c9188_20261125T1005Z_10.0.1.5_a.log.gz"},
		"nlb gzip":        {loggen.NLB, true, "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/x_net.payments-tls.c6e77e28c25b2234_20261125T1005Z_a.log.gz"},
		"connection gzip": {loggen.ALBConnection, true, "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/conn_log.x.log.gz"},
		"clb plain":       {loggen.CLB, false, "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/x_legacy-api_20261125T1005Z_10.0.2.9_a.log"},
		"gzip named .log": {loggen.ALB, true, "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/renamed.log"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := receiver(t)
			lines, plain, gz := genLines(tc.kind, 2500)
			body := plain
			if tc.gzip {
				body = gz
			}
			s := shipper(t, r, pipeline.Options{MaxBatchRecords: 1000})
			res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "logs", Key: tc.key, ETag: "e1"}}, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if res.Lines != 2500 || res.Records != 2500 || res.ParseErrors != 0 || res.Batches != 3 || res.NextLine != 0 {
				t.Errorf("result = %+v", res)
			}
			recs := r.Records()
			exactlyOnce(t, recs, lines)
			if got := recs[0].Resource["aws.s3.key"]; got != tc.key {
				t.Errorf("aws.s3.key = %v", got)
			}
			if got := recs[0].Resource["cloud.account.id"]; got != "123456789012" {
				t.Errorf("cloud.account.id = %v", got)
			}
		})
	}
}

func TestShip_RecoversFromEndpointFailures(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.Script(
		otlptest.Response{Status: 503},
		otlptest.Response{Status: 429, RetryAfter: "0"},
		otlptest.Response{Drop: true},
		otlptest.Response{Status: 502},
		otlptest.Response{Status: 504},
	)
	lines, _, gz := genLines(loggen.ALB, 3000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 500})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.Retries != 5 {
		t.Errorf("retries = %d, want 5", res.Retries)
	}
	exactlyOnce(t, r.Records(), lines)
}

func TestShip_FailsWhenEndpointStaysDown(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	down := make([]otlptest.Response, 1000)
	for i := range down {
		down[i] = otlptest.Response{Status: 503}
	}
	r.Script(down...)
	_, _, gz := genLines(loggen.ALB, 100)
	s := shipper(t, r, pipeline.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res, err := s.Ship(ctx, pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	var exportErr *otlpexport.ExportError
	if !errors.As(err, &exportErr) || !exportErr.Retryable {
		t.Fatalf("err = %v, want a retryable export error", err)
	}
	if res.Records != 0 {
		t.Errorf("records counted as shipped: %d", res.Records)
	}
}

func TestShip_PermanentRejectionFails(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.Script(otlptest.Response{Status: 400})
	_, _, gz := genLines(loggen.ALB, 10)
	s := shipper(t, r, pipeline.Options{})
	_, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	var exportErr *otlpexport.ExportError
	if !errors.As(err, &exportErr) || exportErr.Retryable || exportErr.StatusCode != 400 {
		t.Fatalf("err = %v, want a non-retryable 400", err)
	}
	if r.Requests() != 1 {
		t.Errorf("a 400 was retried: %d requests", r.Requests())
	}
}

func TestShip_PartialSuccessIsCounted(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.Script(otlptest.Response{Rejected: 3})
	_, _, gz := genLines(loggen.ALB, 10)
	s := shipper(t, r, pipeline.Options{})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 3 {
		t.Errorf("rejected = %d, want 3", res.Rejected)
	}
}

func TestShip_CorruptInput(t *testing.T) {
	t.Parallel()
	lines, _, gz := genLines(loggen.ALB, 5000)
	tests := map[string]struct {
		body        []byte
		wantShipped bool
	}{
		"bad gzip header":  {body: append([]byte{0x1f, 0x8b, 0x00}, []byte("not really gzip")...)},
		"truncated stream": {body: gz[:len(gz)/2], wantShipped: true},
		"corrupted middle": {body: flip(gz, len(gz)/2), wantShipped: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := receiver(t)
			s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100})
			_, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(tc.body))
			if !errors.Is(err, pipeline.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			got := r.Records()
			if tc.wantShipped && len(got) == 0 {
				t.Error("lines before the corruption were not shipped")
			}
			if len(got) >= len(lines) {
				t.Errorf("shipped %d records from a corrupt file of %d lines", len(got), len(lines))
			}
			if name != "truncated stream" {
				return // a corrupt deflate block may decode to garbage before gzip notices
			}
			// The line the truncation cut is not shipped: each record is a whole line.
			for _, rec := range got {
				if n := lineOf(t, rec); rec.Body != lines[n-1] {
					t.Fatalf("record of line %d has body %.80q..., want the whole line %.80q...", n, rec.Body, lines[n-1])
				}
			}
		})
	}
}

func flip(b []byte, at int) []byte {
	out := append([]byte(nil), b...)
	for i := at; i < at+64 && i < len(out); i++ {
		out[i] ^= 0x5a
	}
	return out
}

func TestShip_BadLinesAreShippedAndCounted(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	lines, _, _ := genLines(loggen.ALB, 4)
	long := lines[0] + " " + strings.Repeat("x", 3000)
	input := []string{lines[0], "", "http 2026-11-25T10:00:00.000000Z too few fields", lines[1], long, lines[2]}
	s := shipper(t, r, pipeline.Options{MaxLineBytes: 2048})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log"}},
		strings.NewReader(strings.Join(input, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 5 || res.Skipped != 1 || res.Truncated != 1 || res.ParseErrors < 1 {
		t.Errorf("result = %+v, want 5 records, 1 skipped, 1 truncated, parse errors counted", res)
	}
	var bad, truncated int
	for _, rec := range r.Records() {
		if msg, ok := rec.Attributes["aws.elb.parse_error"].(string); ok {
			if strings.Contains(msg, "truncated") {
				truncated++
				if len(rec.Body) != 2048 {
					t.Errorf("truncated body is %d bytes, want 2048", len(rec.Body))
				}
			} else {
				bad++
				if rec.Body != input[2] {
					t.Errorf("bad line body = %q, want the raw line", rec.Body)
				}
			}
		}
	}
	if bad != 1 || truncated != 1 {
		t.Errorf("bad = %d, truncated = %d; want 1 and 1", bad, truncated)
	}
}

func TestShip_StopsBeforeDeadlineAndContinues(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	lines, _, gz := genLines(loggen.ALB, 3000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 1000, StopMargin: time.Hour})
	src := pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute) // inside the margin: stop after one batch
	defer cancel()
	res, err := s.Ship(ctx, src, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.NextLine != 1001 || res.Records != 1000 {
		t.Fatalf("first run: %+v, want 1000 records and NextLine 1001", res)
	}
	// Continue without a deadline from where it stopped.
	src.StartLine = res.NextLine
	res, err = s.Ship(context.Background(), src, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.NextLine != 0 || res.Records != 2000 {
		t.Fatalf("second run: %+v, want 2000 records to the end", res)
	}
	exactlyOnce(t, r.Records(), lines)
}

func TestShip_EmptyObject(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	s := shipper(t, r, pipeline.Options{})
	for _, body := range [][]byte{nil, gzipBytes(nil)} {
		res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(body))
		if err != nil || res.Records != 0 || res.Lines != 0 {
			t.Errorf("empty object: %+v, %v", res, err)
		}
	}
	if r.Requests() != 0 {
		t.Errorf("%d requests for an empty object", r.Requests())
	}
}

func ExampleShipper_Ship() {
	r, _ := otlptest.Start("127.0.0.1:0")
	defer r.Close()
	exp, _ := otlpexport.New(otlpexport.Config{Endpoint: r.URL + "/v1/logs"})
	s := pipeline.NewShipper(exp, pipeline.Options{})
	line := `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "logs", Key: "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/x.log"}}, strings.NewReader(line+"\n"))
	rec := r.Records()[0]
	fmt.Println(res.Format, res.Records, err)
	fmt.Println(rec.Attributes["http.response.status_code"], rec.Attributes["client.address"], rec.TraceID)
	// Output:
	// alb_access 1 <nil>
	// 200 192.168.131.39 5833726236d228ad5d99923122bbe354
}

// TestShip_InvalidUTF8IsReplacedNotRejected: a line with bytes that are not
// UTF-8 would make a receiver reject the whole request (protobuf strings are
// UTF-8); it is shipped with U+FFFD in their place, marked and counted.
func TestShip_InvalidUTF8IsReplacedNotRejected(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	lines, _, _ := genLines(loggen.ALB, 2)
	bad := strings.Replace(lines[0], "HTTP/", "caf\xe9 HTTP/", 1)
	s := shipper(t, r, pipeline.Options{})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log"}},
		strings.NewReader(bad+"\n"+lines[1]+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 2 || res.Replaced != 1 || res.ParseErrors != 0 {
		t.Errorf("result = %+v, want 2 records, 1 replaced, no parse error", res)
	}
	var marked int
	for _, rec := range r.Records() {
		if _, ok := rec.Attributes["aws.elb.encoding_error"]; ok {
			marked++
			if want := strings.ToValidUTF8(bad, "\uFFFD"); rec.Body != want {
				t.Errorf("body = %q, want %q", rec.Body, want)
			}
			if rec.Attributes["http.response.status_code"] == nil {
				t.Error("the replaced line was not parsed into attributes")
			}
		}
	}
	if marked != 1 {
		t.Errorf("%d records marked with aws.elb.encoding_error, want 1", marked)
	}
}
