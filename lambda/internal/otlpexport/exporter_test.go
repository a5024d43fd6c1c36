package otlpexport

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// encodings are the protocol and compression settings, with the Content-Type
// and Content-Encoding each must send.
var encodings = map[string]struct {
	protocol    Protocol
	compression string
	wantType    string
	wantEnc     string
}{
	"protobuf gzip (default)": {wantType: "application/x-protobuf", wantEnc: "gzip"},
	"protobuf none":           {protocol: ProtocolHTTPProtobuf, compression: "none", wantType: "application/x-protobuf"},
	"json gzip":               {protocol: ProtocolHTTPJSON, compression: "gzip", wantType: "application/json", wantEnc: "gzip"},
	"json none":               {protocol: ProtocolHTTPJSON, compression: "none", wantType: "application/json"},
	"protobuf zstd":           {protocol: ProtocolHTTPProtobuf, compression: "zstd", wantType: "application/x-protobuf", wantEnc: "zstd"},
	"json zstd":               {protocol: ProtocolHTTPJSON, compression: "zstd", wantType: "application/json", wantEnc: "zstd"},
}

func TestExport_SendsEveryRecordOnce(t *testing.T) {
	t.Parallel()
	for name, tc := range encodings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, ok200)
			e := newTestExporter(t, Config{
				Endpoint:    srv.url(),
				Protocol:    tc.protocol,
				Compression: tc.compression,
				Headers:     map[string]string{"api-key": "s3cr3t-value", "X-Tenant": "acme"},
				UserAgent:   "elb-otel-test/1.0",
			})
			ld, bodies := makeLogs(name, 250)

			st, err := e.Export(testCtx(t), ld)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			srv.assertExactlyOnce(t, bodies)
			seen := srv.seen()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}
			r := seen[0]
			for k, want := range map[string]string{
				"Content-Type":     tc.wantType,
				"Content-Encoding": tc.wantEnc,
				"Api-Key":          "s3cr3t-value",
				"X-Tenant":         "acme",
				"User-Agent":       "elb-otel-test/1.0",
			} {
				if got := r.header.Get(k); got != want {
					t.Errorf("request header %s = %q, want %q", k, got, want)
				}
			}
			if r.method != http.MethodPost || r.path != "/v1/logs" {
				t.Errorf("request = %s %s, want POST /v1/logs", r.method, r.path)
			}
			want := Stats{Attempts: 1, BytesSent: int64(r.wireBytes), AcceptedLogRecords: 250}
			if st != want {
				t.Errorf("Stats = %+v, want %+v", st, want)
			}
		})
	}
}

func TestExport_RetriesUntilTheServerRecovers(t *testing.T) {
	t.Parallel()
	tests := map[string][]step{
		"503":                {only503},
		"502":                {only502},
		"504":                {only504},
		"429":                {only429},
		"429 Retry-After 0":  {retry429("0")},
		"dropped connection": {drop},
		"timeout":            {slow},
		"everything":         {only503, drop, only429, slow, only502, only504, drop},
	}
	for name, failures := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, append(failures, ok200)...)
			e := newTestExporter(t, Config{Endpoint: srv.url(), Timeout: 200 * time.Millisecond, Retry: fastRetry()})
			ld, bodies := makeLogs(name, 100)

			st, err := e.Export(testCtx(t), ld)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			srv.assertExactlyOnce(t, bodies)
			seen := srv.seen()
			wantAttempts := len(failures) + 1
			if st.Attempts != wantAttempts || st.Retries != wantAttempts-1 || len(seen) != wantAttempts {
				t.Errorf("Attempts = %d, Retries = %d, server saw %d requests; want %d attempts", st.Attempts, st.Retries, len(seen), wantAttempts)
			}
			if want := int64(wantAttempts * seen[0].wireBytes); st.BytesSent != want {
				t.Errorf("BytesSent = %d, want %d (%d attempts of %d bytes)", st.BytesSent, want, wantAttempts, seen[0].wireBytes)
			}
		})
	}
}

func TestExport_FailsAtOnceOnNonRetryableStatus(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		protocol   Protocol
		step       step
		wantStatus int
		wantInErr  []string
	}{
		"400 protobuf Status": {
			step:       step{status: 400, contentType: "application/x-protobuf", body: statusBody(t, false, 3, "log record 17: invalid trace id")},
			wantStatus: 400,
			wantInErr:  []string{"HTTP 400 Bad Request", "not retryable", "log record 17: invalid trace id", "after 1 attempt"},
		},
		"400 JSON Status": {
			protocol:   ProtocolHTTPJSON,
			step:       step{status: 400, contentType: "application/json", body: statusBody(t, true, 3, "unknown field \"foo\"")},
			wantStatus: 400,
			wantInErr:  []string{"HTTP 400", `unknown field "foo"`},
		},
		"400 Status with charset": {
			step:       step{status: 400, contentType: "application/x-protobuf; charset=binary", body: statusBody(t, false, 3, "too many attributes")},
			wantStatus: 400,
			wantInErr:  []string{"too many attributes"},
		},
		"401 plain text": {step: only401, wantStatus: 401, wantInErr: []string{"HTTP 401 Unauthorized", "invalid API key", "OTEL_EXPORTER_OTLP_HEADERS"}},
		"403 JSON":       {step: only403, wantStatus: 403, wantInErr: []string{"tenant is suspended"}},
		"404":            {step: only404, wantStatus: 404, wantInErr: []string{"404 page not found", "/v1/logs"}},
		"413":            {step: only413, wantStatus: 413, wantInErr: []string{"HTTP 413", "smaller batches"}},
		"500":            {step: only500, wantStatus: 500, wantInErr: []string{"HTTP 500"}},
		"long message": {
			step:       step{status: 400, contentType: "text/plain", body: []byte(strings.Repeat("x", 10000))},
			wantStatus: 400,
			wantInErr:  []string{"(truncated)"},
		},
		"binary body": {
			step:       step{status: 400, contentType: "application/octet-stream", body: []byte{0xff, 0xfe, 0x00, 0x01}},
			wantStatus: 400,
			wantInErr:  []string{"4-byte body"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, tc.step, ok200)
			e := newTestExporter(t, Config{
				Endpoint: srv.url(), Protocol: tc.protocol, Retry: fastRetry(),
				Headers: map[string]string{"api-key": "s3cr3t-value"},
			})
			ld, _ := makeLogs(name, 10)

			st, err := e.Export(testCtx(t), ld)
			var xe *ExportError
			if !errors.As(err, &xe) {
				t.Fatalf("Export error = %v, want *ExportError", err)
			}
			if xe.Retryable || xe.StatusCode != tc.wantStatus || xe.Attempts != 1 || st.Attempts != 1 || len(srv.seen()) != 1 {
				t.Errorf("got %+v, Stats %+v, %d requests; want status %d, not retryable, 1 attempt", *xe, st, len(srv.seen()), tc.wantStatus)
			}
			msg := err.Error()
			for _, want := range tc.wantInErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "s3cr3t-value") {
				t.Errorf("error %q contains a header value", msg)
			}
			if len(msg) > 1500 {
				t.Errorf("error is %d bytes long, want it truncated", len(msg))
			}
		})
	}
}

func TestExport_ReportsPartialSuccess(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("quota exceeded for tenant; ", 40)
	tests := map[string]struct {
		protocol     Protocol
		step         step
		wantRejected int64
		wantMessage  string
	}{
		"protobuf": {
			step:         step{contentType: "application/x-protobuf", body: partialSuccessBody(t, false, 3, "3 records older than 7 days")},
			wantRejected: 3, wantMessage: "3 records older than 7 days",
		},
		"json": {
			protocol:     ProtocolHTTPJSON,
			step:         step{contentType: "application/json", body: partialSuccessBody(t, true, 7, "attribute limit exceeded")},
			wantRejected: 7, wantMessage: "attribute limit exceeded",
		},
		"json answer to protobuf request": {
			step:         step{contentType: "application/json", body: partialSuccessBody(t, true, 1, "dropped")},
			wantRejected: 1, wantMessage: "dropped",
		},
		"warning only": {
			step:        step{contentType: "application/x-protobuf", body: partialSuccessBody(t, false, 0, "deprecated attribute names")},
			wantMessage: "deprecated attribute names",
		},
		"more rejected than sent: all rejected, none accepted": {
			step:         step{contentType: "application/x-protobuf", body: partialSuccessBody(t, false, 25, "bad")},
			wantRejected: 10, wantMessage: "bad",
		},
		"message sanitized and bounded": {
			step:         step{contentType: "application/x-protobuf", body: partialSuccessBody(t, false, 2, "line one\nline two\x1b[31m "+long)},
			wantRejected: 2, wantMessage: truncate("line one line two [31m "+long, maxMessage),
		},
		"empty 200 body":                {step: step{contentType: "application/x-protobuf"}},
		"empty response message":        {step: step{contentType: "application/x-protobuf", body: partialSuccessBody(t, false, 0, "")}},
		"202 without content type":      {step: step{status: http.StatusAccepted}},
		"undecodable body is a success": {step: step{contentType: "text/html", body: []byte("<html>ok</html>")}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, tc.step)
			e := newTestExporter(t, Config{Endpoint: srv.url(), Protocol: tc.protocol})
			ld, bodies := makeLogs(name, 10)

			st, err := e.Export(testCtx(t), ld)
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			srv.assertExactlyOnce(t, bodies)
			wantAccepted := 10 - tc.wantRejected
			if st.RejectedLogRecords != tc.wantRejected || st.AcceptedLogRecords != wantAccepted || st.PartialSuccessMessage != tc.wantMessage || st.Attempts != 1 {
				t.Errorf("Stats = %+v, want AcceptedLogRecords %d, RejectedLogRecords %d, PartialSuccessMessage %q, 1 attempt", st, wantAccepted, tc.wantRejected, tc.wantMessage)
			}
			if len(st.PartialSuccessMessage) > maxMessage+len("...(truncated)") || strings.ContainsAny(st.PartialSuccessMessage, "\n\x1b") {
				t.Errorf("message %q is not sanitized and bounded", st.PartialSuccessMessage)
			}
		})
	}
}

// TestExport_HonoursRetryAfter waits for real: the server asks for 1 s, the
// backoff alone would wait at most 5 ms.
func TestExport_HonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, retry429("1"), ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Second}})
	ld, bodies := makeLogs("retry-after", 10)

	st, err := e.Export(testCtx(t), ld)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	srv.assertExactlyOnce(t, bodies)
	seen := srv.seen()
	if len(seen) != 2 || st.Attempts != 2 {
		t.Fatalf("server saw %d requests, Stats %+v; want 2", len(seen), st)
	}
	// Retry-After has one-second resolution; allow for timer granularity.
	if gap := seen[1].at.Sub(seen[0].at); gap < 950*time.Millisecond {
		t.Errorf("retried after %s, want at least the 1s the server asked for", gap)
	}
}

// TestExport_RetryWaits checks the waits chosen, without sleeping them.
func TestExport_RetryWaits(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := map[string]struct {
		step     step
		retry    RetryConfig
		min, max time.Duration
	}{
		"503 Retry-After seconds": {
			step:  step{status: 503, header: map[string]string{"Retry-After": "2"}},
			retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: time.Minute},
			min:   2 * time.Second, max: 2 * time.Second,
		},
		"429 Retry-After HTTP date": {
			step:  step{status: 429, header: map[string]string{"Retry-After": date}},
			retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Minute},
			// The date is taken when the table is built; under -race with the
			// other packages' tests the request can come seconds later, so the
			// lower bound only proves the date was used (the backoff is 1 ms).
			min: 60 * time.Second, max: 91 * time.Second,
		},
		"Retry-After capped by MaxInterval": {
			step:  step{status: 429, header: map[string]string{"Retry-After": "3600"}},
			retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 7 * time.Second},
			min:   7 * time.Second, max: 7 * time.Second,
		},
		"Retry-After ignored on 502": {
			step:  step{status: 502, header: map[string]string{"Retry-After": "60"}},
			retry: RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: time.Minute},
			min:   0, max: 10 * time.Millisecond,
		},
		"malformed Retry-After falls back to backoff": {
			step:  step{status: 503, header: map[string]string{"Retry-After": "soon"}},
			retry: RetryConfig{InitialInterval: 10 * time.Millisecond, MaxInterval: time.Minute},
			min:   0, max: 10 * time.Millisecond,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, tc.step, ok200)
			e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: tc.retry})
			var waits []time.Duration
			e.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			ld, _ := makeLogs(name, 5)

			// No deadline: the waits are recorded, not slept.
			if _, err := e.Export(context.Background(), ld); err != nil {
				t.Fatalf("Export: %v", err)
			}
			if len(waits) != 1 || waits[0] < tc.min || waits[0] > tc.max {
				t.Errorf("waits = %v, want one in [%s, %s]", waits, tc.min, tc.max)
			}
		})
	}
}

// TestBackoff_Ceilings: retry n waits a random time up to
// min(MaxInterval, InitialInterval*2^(n-1)), spread over that range, also far
// past the retry at which the doubling would overflow a Duration.
func TestBackoff_Ceilings(t *testing.T) {
	t.Parallel()
	e := newTestExporter(t, Config{Endpoint: "http://localhost:4318/v1/logs", Retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 30 * time.Second}})
	for _, n := range []int{1, 2, 3, 10, 15, 16, 62, 63, 64, 200, 5000} {
		ceil := 30 * time.Second
		if n < 16 {
			ceil = time.Millisecond << (n - 1)
		}
		var highest time.Duration
		for range 200 {
			w := e.backoff(n)
			if w < 0 || w > ceil {
				t.Fatalf("backoff(%d) = %s, want within [0, %s]", n, w, ceil)
			}
			highest = max(highest, w)
		}
		if highest < ceil/2 {
			t.Errorf("backoff(%d): the highest of 200 waits is %s, want some above %s (full jitter up to %s)", n, highest, ceil/2, ceil)
		}
	}

	// The longest MaxInterval a Duration holds: no overflow.
	e = newTestExporter(t, Config{Endpoint: "http://localhost:4318/v1/logs", Retry: RetryConfig{InitialInterval: 1, MaxInterval: math.MaxInt64}})
	for _, n := range []int{1, 64, 5000} {
		if w := e.backoff(n); w < 0 {
			t.Errorf("backoff(%d) with MaxInterval math.MaxInt64 = %s, want a wait of 0 or more", n, w)
		}
	}

	// The ceiling itself is a possible wait.
	e = newTestExporter(t, Config{Endpoint: "http://localhost:4318/v1/logs", Retry: RetryConfig{InitialInterval: 2, MaxInterval: 2}})
	seen := map[time.Duration]bool{}
	for range 200 {
		seen[e.backoff(1)] = true
	}
	if len(seen) != 3 || !seen[0] || !seen[2] {
		t.Errorf("backoff with 2 ns intervals returned %v, want 0, 1 and 2 ns", seen)
	}
}

func TestExport_BackoffGrowsWithFullJitter(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, only503)
	retry := RetryConfig{InitialInterval: 100 * time.Millisecond, MaxInterval: time.Second, MaxElapsed: time.Hour}
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: retry})
	ctx, cancel := context.WithCancel(testCtx(t))
	var waits []time.Duration
	e.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		if len(waits) == 8 {
			cancel()
			return context.Canceled
		}
		return nil
	}
	ld, _ := makeLogs("backoff", 1)

	_, err := e.Export(ctx, ld)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Export error = %v, want one wrapping context.Canceled", err)
	}
	for i, w := range waits {
		ceil := min(retry.InitialInterval<<i, retry.MaxInterval)
		if w < 0 || w > ceil {
			t.Errorf("wait %d = %s, want within [0, %s]", i+1, w, ceil)
		}
	}
}

func TestExport_StopsBeforeTheContextDeadline(t *testing.T) {
	t.Parallel()
	t.Run("Retry-After past the deadline", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, step{status: 503, header: map[string]string{"Retry-After": "1"}})
		e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Second}})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		ld, _ := makeLogs("deadline", 5)

		st, err := e.Export(ctx, ld)
		if ctx.Err() != nil {
			t.Errorf("Export returned after the deadline (%v), want before it", ctx.Err())
		}
		var xe *ExportError
		if !errors.As(err, &xe) || !xe.Retryable || xe.StatusCode != 503 || st.Attempts != 1 {
			t.Fatalf("Export = %+v, %v; want a retryable 503 ExportError after 1 attempt", st, err)
		}
		if !strings.Contains(err.Error(), "context deadline") {
			t.Errorf("error %q does not say the deadline stopped the retries", err)
		}
	})
	t.Run("backoff runs into the deadline", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, only503)
		e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{InitialInterval: 20 * time.Millisecond, MaxInterval: 80 * time.Millisecond}})
		deadline := time.Now().Add(400 * time.Millisecond)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		ld, _ := makeLogs("deadline-backoff", 5)

		st, err := e.Export(ctx, ld)
		returned := time.Now()
		var xe *ExportError
		if !errors.As(err, &xe) || !xe.Retryable || st.Attempts < 2 {
			t.Fatalf("Export = %+v, %v; want a retryable ExportError after several attempts", st, err)
		}
		// It never sleeps past the deadline; an attempt started just before
		// it may end just after it.
		if late := returned.Sub(deadline); late > 200*time.Millisecond {
			t.Errorf("Export returned %s after the deadline", late)
		}
	})
	t.Run("already done", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, ok200)
		e := newTestExporter(t, Config{Endpoint: srv.url()})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ld, _ := makeLogs("done", 5)

		st, err := e.Export(ctx, ld)
		var xe *ExportError
		if !errors.As(err, &xe) || !xe.Retryable || !errors.Is(err, context.Canceled) || st.Attempts != 0 || len(srv.seen()) != 0 {
			t.Errorf("Export = %+v, %v; want a retryable error wrapping context.Canceled and no request", st, err)
		}
	})
}

func TestExport_GivesUpAfterMaxElapsed(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, only504)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{InitialInterval: 5 * time.Millisecond, MaxInterval: 10 * time.Millisecond, MaxElapsed: time.Second}})
	ld, _ := makeLogs("max-elapsed", 5)

	st, err := e.Export(testCtx(t), ld)
	var xe *ExportError
	if !errors.As(err, &xe) || !xe.Retryable || xe.StatusCode != 504 || st.Attempts < 2 || xe.Attempts != st.Attempts {
		t.Fatalf("Export = %+v, %v; want a retryable 504 after several attempts", st, err)
	}
	if !strings.Contains(err.Error(), "Retry.MaxElapsed") {
		t.Errorf("error %q does not name Retry.MaxElapsed", err)
	}
}

func TestExport_RetryDisabled(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, only503, ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{Disabled: true}})
	ld, _ := makeLogs("disabled", 5)

	st, err := e.Export(testCtx(t), ld)
	var xe *ExportError
	if !errors.As(err, &xe) || !xe.Retryable || st.Attempts != 1 || len(srv.seen()) != 1 {
		t.Fatalf("Export = %+v, %v; want one attempt and a retryable error", st, err)
	}
	if !strings.Contains(err.Error(), "retries are disabled") {
		t.Errorf("error %q does not say retries are disabled", err)
	}
}

func TestExport_TransportErrorsAreRetryable(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		e := newTestExporter(t, Config{
			Endpoint: "http://user:pa55word@" + addr + "/v1/logs?token=qs-secret",
			Retry:    RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, MaxElapsed: 30 * time.Millisecond},
		})
		ld, _ := makeLogs("refused", 5)

		st, err := e.Export(testCtx(t), ld)
		var xe *ExportError
		if !errors.As(err, &xe) || !xe.Retryable || xe.StatusCode != 0 || st.Attempts < 2 {
			t.Fatalf("Export = %+v, %v; want a retryable error with no status after several attempts", st, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "no response") || !strings.Contains(msg, addr) {
			t.Errorf("error %q does not describe the connection failure", msg)
		}
		for _, secret := range []string{"pa55word", "qs-secret"} {
			if strings.Contains(msg, secret) {
				t.Errorf("error %q contains %q from the endpoint URL", msg, secret)
			}
		}
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, slow)
		e := newTestExporter(t, Config{Endpoint: srv.url(), Timeout: 50 * time.Millisecond, Retry: RetryConfig{Disabled: true}})
		ld, _ := makeLogs("timeout", 5)

		_, err := e.Export(testCtx(t), ld)
		var xe *ExportError
		if !errors.As(err, &xe) || !xe.Retryable || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Export error = %v, want a retryable timeout", err)
		}
		if !strings.Contains(err.Error(), "Timeout (50ms per attempt)") {
			t.Errorf("error %q does not name the per-attempt timeout", err)
		}
	})
}

func TestExport_Redirects(t *testing.T) {
	t.Parallel()
	t.Run("301 is not followed as a GET", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, step{status: 301, header: map[string]string{"Location": "/v1/logs/elsewhere"}}, ok200)
		e := newTestExporter(t, Config{Endpoint: srv.url()})
		ld, _ := makeLogs("301", 5)

		_, err := e.Export(testCtx(t), ld)
		var xe *ExportError
		if !errors.As(err, &xe) || xe.Retryable || xe.StatusCode != 301 {
			t.Fatalf("Export error = %v, want a non-retryable 301", err)
		}
		if !strings.Contains(err.Error(), "/v1/logs/elsewhere") || !strings.Contains(err.Error(), "final URL") {
			t.Errorf("error %q does not say where the endpoint redirects", err)
		}
		if n := len(srv.seen()); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
	t.Run("308 is followed with the body", func(t *testing.T) {
		t.Parallel()
		srv := newOTLPServer(t, step{status: 308, header: map[string]string{"Location": "/v2/logs"}}, ok200)
		e := newTestExporter(t, Config{Endpoint: srv.url()})
		ld, bodies := makeLogs("308", 5)

		if _, err := e.Export(testCtx(t), ld); err != nil {
			t.Fatalf("Export: %v", err)
		}
		srv.assertExactlyOnce(t, bodies)
		if seen := srv.seen(); len(seen) != 2 || seen[1].method != http.MethodPost || seen[1].path != "/v2/logs" {
			t.Errorf("requests = %+v, want a POST to /v2/logs after the redirect", seen)
		}
	})
	t.Run("307 to another host is not followed: the API key stays home", func(t *testing.T) {
		t.Parallel()
		other := newOTLPServer(t, ok200)
		srv := newOTLPServer(t, step{status: 307, header: map[string]string{"Location": other.url()}}, ok200)
		e := newTestExporter(t, Config{Endpoint: srv.url(), Headers: map[string]string{"api-key": "SECRET"}})
		ld, _ := makeLogs("307-away", 5)

		_, err := e.Export(testCtx(t), ld)
		var xe *ExportError
		if !errors.As(err, &xe) || xe.Retryable || xe.StatusCode != 307 {
			t.Fatalf("Export error = %v, want a non-retryable 307", err)
		}
		if n := len(other.seen()); n != 0 {
			t.Errorf("the other host got %d requests (with the API key)", n)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("the error leaks the header value: %v", err)
		}
	})
}

// TestExport_LocationNamedOnlyForRedirects: a 3xx error names where it
// redirects; another status with a Location header does not.
func TestExport_LocationNamedOnlyForRedirects(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{300: true, 400: false, 299: false} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, step{status: status, header: map[string]string{"Location": "/v1/logs/elsewhere"}})
			e := newTestExporter(t, Config{Endpoint: srv.url()})
			ld, _ := makeLogs("location", 5)
			_, err := e.Export(testCtx(t), ld)
			if got := err != nil && strings.Contains(err.Error(), "redirected to /v1/logs/elsewhere"); got != want {
				t.Errorf("HTTP %d: error %v; want the redirect named: %t", status, err, want)
			}
		})
	}
}

// TestExport_StopsARedirectLoop: the fifth redirect is not followed.
func TestExport_StopsARedirectLoop(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, step{status: 307, header: map[string]string{"Location": "/v1/logs"}})
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{Disabled: true}})
	ld, _ := makeLogs("loop", 5)

	_, err := e.Export(testCtx(t), ld)
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Fatalf("Export error = %v, want one that says it stopped after 5 redirects", err)
	}
	if n := len(srv.seen()); n != 5 {
		t.Errorf("server saw %d requests, want 5 (the request and the first 4 redirects)", n)
	}
}

// TestExport_HostHeader: a Host entry in Headers sets the request's Host (a
// gateway that routes on it); the endpoint's host is used otherwise.
func TestExport_HostHeader(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		headers  map[string]string
		wantHost func(srv *otlpServer) string
	}{
		"set":     {headers: map[string]string{"Host": "tenant-a.otlp.example.com"}, wantHost: func(*otlpServer) string { return "tenant-a.otlp.example.com" }},
		"not set": {wantHost: func(srv *otlpServer) string { return strings.TrimPrefix(srv.srv.URL, "http://") }},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, ok200)
			e := newTestExporter(t, Config{Endpoint: srv.url(), Headers: tc.headers})
			ld, _ := makeLogs("host", 5)
			if _, err := e.Export(testCtx(t), ld); err != nil {
				t.Fatal(err)
			}
			if seen := srv.seen(); len(seen) != 1 || seen[0].host != tc.wantHost(srv) {
				t.Errorf("requests %+v, want one with Host %q", seen, tc.wantHost(srv))
			}
		})
	}
}

// TestExport_NoWaitPastMaxElapsed: a retry whose wait would end after
// Retry.MaxElapsed is not made, even when the server would then accept.
func TestExport_NoWaitPastMaxElapsed(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, step{status: 503, header: map[string]string{"Retry-After": "10"}}, ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: RetryConfig{InitialInterval: time.Millisecond, MaxInterval: time.Minute, MaxElapsed: 5 * time.Second}})
	var waits []time.Duration
	e.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	ld, _ := makeLogs("max-elapsed-wait", 5)

	st, err := e.Export(context.Background(), ld)
	if err == nil || !strings.Contains(err.Error(), "would pass Retry.MaxElapsed") || st.Attempts != 1 || len(waits) != 0 {
		t.Errorf("Export = %+v, %v after waits %v; want one attempt, no wait, and an error naming Retry.MaxElapsed", st, err, waits)
	}
}

func TestExport_EmptyLogsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url()})
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()

	st, err := e.Export(testCtx(t), ld)
	if err != nil || st != (Stats{}) || len(srv.seen()) != 0 {
		t.Errorf("Export = %+v, %v with %d requests; want nothing sent", st, err, len(srv.seen()))
	}
}

// TestExport_ConcurrentExportsAgainstAFlakyServer checks, under -race, that
// pooled buffers are never shared and that every record arrives once.
func TestExport_ConcurrentExportsAgainstAFlakyServer(t *testing.T) {
	t.Parallel()
	var script []step
	for i := range 60 {
		switch i % 4 {
		case 0:
			script = append(script, only503)
		case 1:
			script = append(script, drop)
		default:
			script = append(script, ok200)
		}
	}
	srv := newOTLPServer(t, append(script, ok200)...)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: fastRetry()})

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		want []string
	)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range 8 {
				ld, bodies := makeLogs(fmt.Sprintf("g%d-b%d", g, b), 50)
				if _, err := e.Export(testCtx(t), ld); err != nil {
					t.Errorf("Export: %v", err)
				}
				mu.Lock()
				want = append(want, bodies...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	srv.assertExactlyOnce(t, want)
}

func TestExportError_Error(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err  *ExportError
		want string
	}{
		"status": {
			err:  &ExportError{StatusCode: 503, Retryable: true, Message: "overloaded", Attempts: 3, stop: "the context ended"},
			want: "otlpexport: export failed after 3 attempts: HTTP 503 Service Unavailable (retryable): overloaded; stopped retrying: the context ended",
		},
		"no response": {
			err:  &ExportError{Retryable: true, Message: "POST http://x/v1/logs: connection refused", Attempts: 1},
			want: "otlpexport: export failed after 1 attempt: no response (retryable): POST http://x/v1/logs: connection refused",
		},
		"hint": {
			err:  &ExportError{StatusCode: 401, Attempts: 1},
			want: "otlpexport: export failed after 1 attempt: HTTP 401 Unauthorized (not retryable); check the API key or auth headers (OTEL_EXPORTER_OTLP_HEADERS)",
		},
		"endpoint": {
			err:  &ExportError{StatusCode: 503, Retryable: true, Message: "overloaded", Attempts: 2, Endpoint: "https://collector:4318/v1/logs"},
			want: "otlpexport: export failed (POST https://collector:4318/v1/logs) after 2 attempts: HTTP 503 Service Unavailable (retryable): overloaded",
		},
		"endpoint already in the message": {
			err:  &ExportError{Retryable: true, Message: "POST http://x/v1/logs: connection refused", Attempts: 1, Endpoint: "http://x/v1/logs"},
			want: "otlpexport: export failed after 1 attempt: no response (retryable): POST http://x/v1/logs: connection refused",
		},
		"not sent": {
			err:  &ExportError{Retryable: true, Message: "not sent: context canceled"},
			want: "otlpexport: export failed (retryable): not sent: context canceled",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		"seconds":         {in: "7", want: 7 * time.Second, wantOK: true},
		"zero":            {in: "0", want: 0, wantOK: true},
		"spaces":          {in: " 3 ", want: 3 * time.Second, wantOK: true},
		"huge is bounded": {in: "99999999999", want: 24 * time.Hour, wantOK: true},
		"HTTP date":       {in: "Wed, 01 May 2024 12:00:42 GMT", want: 42 * time.Second, wantOK: true},
		"past date":       {in: "Wed, 01 May 2024 11:00:00 GMT", want: 0, wantOK: true},
		"empty":           {in: ""},
		"negative":        {in: "-5"},
		"fraction":        {in: "1.5"},
		"garbage":         {in: "later"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(tc.in, now)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		n    int
		want string
	}{
		"short":         {in: "ok", n: 10, want: "ok"},
		"control chars": {in: "a\r\nb\tc\x00", n: 10, want: "a  b c"},
		"cut":           {in: "abcdefgh", n: 4, want: "abcd...(truncated)"},
		"exactly n":     {in: "abcd", n: 4, want: "abcd"},
		"n of 0":        {in: "é", n: 0, want: "...(truncated)"},
		"rune boundary": {in: "ééé", n: 3, want: "é...(truncated)"},
		"invalid utf-8": {in: "a\xffb", n: 10, want: "a b"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := truncate(tc.in, tc.n); got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}
