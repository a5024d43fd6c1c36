package otlpexport

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// step is one scripted answer of otlpServer.
type step struct {
	status      int               // HTTP status; 0 means 200
	header      map[string]string // response headers
	contentType string
	body        []byte
	delay       time.Duration // wait before answering; the client may give up first
	drop        bool          // hijack the connection and close it without answering
}

var (
	ok200    = step{status: http.StatusOK}
	drop     = step{drop: true}
	slow     = step{status: http.StatusOK, delay: 5 * time.Second}
	only503  = step{status: http.StatusServiceUnavailable}
	only502  = step{status: http.StatusBadGateway}
	only504  = step{status: http.StatusGatewayTimeout}
	only429  = step{status: http.StatusTooManyRequests}
	only500  = step{status: http.StatusInternalServerError}
	only401  = step{status: http.StatusUnauthorized, contentType: "text/plain", body: []byte("invalid API key\n")}
	only404  = step{status: http.StatusNotFound, contentType: "text/plain", body: []byte("404 page not found")}
	only413  = step{status: http.StatusRequestEntityTooLarge}
	only403  = step{status: http.StatusForbidden, contentType: "application/json", body: []byte(`{"code":7,"message":"tenant is suspended"}`)}
	retry429 = func(after string) step {
		return step{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": after}}
	}
)

// seenRequest is what otlpServer recorded about one request.
type seenRequest struct {
	at        time.Time
	method    string
	host      string
	path      string
	header    http.Header
	wireBytes int
	records   int
}

// otlpServer is a loopback OTLP/HTTP logs receiver. It decodes requests with
// the independent go.opentelemetry.io/proto/otlp types (not pdata), answers
// with a script of steps (the last one repeats), and counts the bodies of the
// records of the requests it accepted (answered 2xx).
type otlpServer struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	steps    []step
	requests []seenRequest
	accepted map[string]int
	errs     []error
}

func newOTLPServer(t testing.TB, steps ...step) *otlpServer {
	t.Helper()
	if len(steps) == 0 {
		steps = []step{ok200}
	}
	s := &otlpServer{t: t, steps: steps, accepted: make(map[string]int)}
	s.srv = httptest.NewServer(s)
	t.Cleanup(func() {
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, err := range s.errs {
			t.Errorf("otlp server: %v", err)
		}
	})
	return s
}

// url is the logs endpoint URL.
func (s *otlpServer) url() string { return s.srv.URL + "/v1/logs" }

func (s *otlpServer) fail(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

func (s *otlpServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away
	}
	var bodies []string
	if r.Method == http.MethodPost {
		bodies, err = decodeRequest(r.Header, raw)
		if err != nil {
			s.fail(err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}

	s.mu.Lock()
	st := s.steps[min(len(s.requests), len(s.steps)-1)]
	s.requests = append(s.requests, seenRequest{
		at: time.Now(), method: r.Method, host: r.Host, path: r.URL.Path, header: r.Header.Clone(),
		wireBytes: len(raw), records: len(bodies),
	})
	s.mu.Unlock()

	if st.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			s.fail(fmt.Errorf("hijack: %w", err))
			return
		}
		_ = conn.Close()
		return
	}
	if st.delay > 0 {
		select {
		case <-time.After(st.delay):
		case <-r.Context().Done():
			return // the client gave up: nothing was accepted
		}
	}
	status := st.status
	if status == 0 {
		status = http.StatusOK
	}
	if status/100 == 2 {
		s.mu.Lock()
		for _, b := range bodies {
			s.accepted[b]++
		}
		s.mu.Unlock()
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	if st.contentType != "" {
		w.Header().Set("Content-Type", st.contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(st.body)
}

// decodeRequest gunzips and decodes an OTLP logs request by its headers and
// returns the string bodies of its records.
func decodeRequest(h http.Header, raw []byte) ([]string, error) {
	data := raw
	switch ce := h.Get("Content-Encoding"); ce {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
	default:
		return nil, fmt.Errorf("unexpected Content-Encoding %q", ce)
	}
	var req collogspb.ExportLogsServiceRequest
	switch ct := h.Get("Content-Type"); ct {
	case "application/x-protobuf":
		if err := proto.Unmarshal(data, &req); err != nil {
			return nil, fmt.Errorf("decoding protobuf: %w", err)
		}
	case "application/json":
		if err := protojson.Unmarshal(data, &req); err != nil {
			return nil, fmt.Errorf("decoding OTLP/JSON: %w", err)
		}
	default:
		return nil, fmt.Errorf("unexpected Content-Type %q", ct)
	}
	var bodies []string
	for _, rl := range req.GetResourceLogs() {
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				bodies = append(bodies, lr.GetBody().GetStringValue())
			}
		}
	}
	return bodies, nil
}

// seen returns a copy of the recorded requests.
func (s *otlpServer) seen() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.requests...)
}

// assertExactlyOnce checks that every body in want was accepted exactly once
// and nothing else was.
func (s *otlpServer) assertExactlyOnce(t *testing.T, want []string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := len(s.accepted); got != len(want) {
		t.Errorf("server accepted %d distinct records, want %d", got, len(want))
	}
	bad := 0
	for _, b := range want {
		if n := s.accepted[b]; n != 1 && bad < 5 {
			t.Errorf("record %.40q accepted %d times, want 1", b, n)
			bad++
		}
	}
}

// statusBody encodes a google.rpc.Status as the server would send it.
func statusBody(t testing.TB, json bool, code int32, msg string) []byte {
	t.Helper()
	st := &statuspb.Status{Code: code, Message: msg}
	var b []byte
	var err error
	if json {
		b, err = protojson.Marshal(st)
	} else {
		b, err = proto.Marshal(st)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// partialSuccessBody encodes an ExportLogsServiceResponse with a partial success.
func partialSuccessBody(t testing.TB, json bool, rejected int64, msg string) []byte {
	t.Helper()
	resp := &collogspb.ExportLogsServiceResponse{
		PartialSuccess: &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: rejected, ErrorMessage: msg},
	}
	var b []byte
	var err error
	if json {
		b, err = protojson.Marshal(resp)
	} else {
		b, err = proto.Marshal(resp)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeLogs builds n realistic ALB access log records in one resource, bodies
// made unique by batch, and returns the logs and their bodies.
func makeLogs(batch string, n int) (plog.Logs, []string) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	ra := rl.Resource().Attributes()
	ra.PutStr("cloud.provider", "aws")
	ra.PutStr("cloud.region", "us-east-2")
	ra.PutStr("cloud.account.id", "123456789012")
	ra.PutStr("cloud.resource_id", "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188")
	ra.PutStr("aws.s3.bucket", "my-elb-logs")
	ra.PutStr("aws.s3.key", "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/05/01/123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_20240501T1235Z_192.168.1.1_5t0fjg9x.log.gz")
	ra.PutStr("service.name", "elb")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("github.com/elb-otel/elb-otel")
	sl.Scope().SetVersion("0.1.0")

	statuses := []int64{200, 200, 200, 200, 301, 304, 404, 500, 502, 200}
	methods := []string{"GET", "GET", "POST", "GET", "PUT"}
	base := time.Date(2024, 5, 1, 12, 34, 56, 0, time.UTC)
	observed := pcommon.NewTimestampFromTime(base.Add(5 * time.Minute))
	bodies := make([]string, n)
	recs := sl.LogRecords()
	recs.EnsureCapacity(n)
	for i := range n {
		ts := base.Add(time.Duration(i) * 731 * time.Microsecond)
		status := statuses[i%len(statuses)]
		method := methods[i%len(methods)]
		port := 1024 + i%60000
		path := "/api/v1/items/" + strconv.Itoa(i*7919%100000)
		line := fmt.Sprintf(`https %s app/my-alb/50dc6c495c0c9188 192.168.131.%d:%d 10.0.0.1:80 0.000 0.%03d 0.000 %d %d 34 %d "%s https://www.example.com:443%s?batch=%s&seq=%d HTTP/1.1" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bb%04x" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 %s "forward" "-" "-" "10.0.0.1:80" "%d" "-" "-" TID_%016x`,
			ts.Format("2006-01-02T15:04:05.000000Z"), i%250, port, i%1000, status, status, 200+i%5000,
			method, path, batch, i, i%65536, ts.Add(-time.Millisecond).Format("2006-01-02T15:04:05.000000Z"), status, i)
		bodies[i] = line

		lr := recs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		lr.SetObservedTimestamp(observed)
		switch {
		case status >= 500:
			lr.SetSeverityNumber(plog.SeverityNumberError)
			lr.SetSeverityText("ERROR")
		case status >= 400:
			lr.SetSeverityNumber(plog.SeverityNumberWarn)
			lr.SetSeverityText("WARN")
		default:
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.SetSeverityText("INFO")
		}
		lr.Body().SetStr(line)
		var tid [16]byte
		copy(tid[:], []byte{0x58, 0x33, 0x72, 0x62, 0x36, 0xd2, 0x28, 0xad, 0x5d, 0x99, 0x92, 0x31, 0x22, 0xbb, byte(i >> 8), byte(i)})
		lr.SetTraceID(pcommon.TraceID(tid))
		a := lr.Attributes()
		a.EnsureCapacity(22)
		a.PutStr("log.record.uid", fmt.Sprintf("%s-%08d-5f2a9c", batch, i))
		a.PutStr("aws.elb.type", "https")
		a.PutStr("client.address", "192.168.131."+strconv.Itoa(i%250))
		a.PutInt("client.port", int64(port))
		a.PutStr("destination.address", "10.0.0.1")
		a.PutInt("destination.port", 80)
		a.PutDouble("aws.elb.request_processing_time", 0)
		a.PutDouble("aws.elb.target_processing_time", float64(i%1000)/1000)
		a.PutDouble("aws.elb.response_processing_time", 0)
		a.PutInt("http.response.status_code", status)
		a.PutInt("aws.elb.backend.response.status_code", status)
		a.PutInt("http.request.size", 34)
		a.PutInt("http.response.size", int64(200+i%5000))
		a.PutStr("http.request.method", method)
		a.PutStr("url.full", "https://www.example.com:443"+path)
		a.PutStr("url.scheme", "https")
		a.PutStr("url.path", path)
		a.PutStr("server.address", "www.example.com")
		a.PutInt("server.port", 443)
		a.PutStr("network.protocol.name", "http")
		a.PutStr("network.protocol.version", "1.1")
		a.PutStr("user_agent.original", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
		a.PutStr("tls.cipher", "ECDHE-RSA-AES128-GCM-SHA256")
		a.PutStr("tls.protocol.name", "tls")
		a.PutStr("tls.protocol.version", "1.2")
		a.PutStr("aws.elb.target_group_arn", "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067")
		actions := a.PutEmptySlice("aws.elb.actions_executed")
		actions.AppendEmpty().SetStr("forward")
	}
	return ld, bodies
}

// fastRetry is a retry config for tests: tiny waits, bounded total.
func fastRetry() RetryConfig {
	return RetryConfig{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, MaxElapsed: 20 * time.Second}
}

// newTestExporter builds an exporter for s, failing the test on error.
func newTestExporter(t testing.TB, cfg Config) *Exporter {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// testCtx returns a context bounded well below the test timeout.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
