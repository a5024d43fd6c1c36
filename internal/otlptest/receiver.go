// Package otlptest is a loopback OTLP/HTTP logs and metrics receiver for tests, the
// end-to-end test and the demo. It decodes what it receives with
// OpenTelemetry's own protobuf types (go.opentelemetry.io/proto/otlp), not
// with the pdata library the shipper encodes with, and can be scripted to
// fail: status codes, Retry-After, slow answers and dropped connections.
package otlptest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Response is one scripted answer.
type Response struct {
	Status     int           // 0 means 200
	RetryAfter string        // Retry-After header value
	Delay      time.Duration // wait before answering
	Drop       bool          // close the connection without answering
	// Rejected makes a 200 a partial success rejecting this many records.
	Rejected int64
	// Warning makes a 200 a partial success with this message: with Rejected
	// 0, the OTLP specification's warning (everything accepted).
	Warning string
	// AfterRequests holds the answer until this many requests (this one
	// included) have arrived: later requests are then in flight.
	AfterRequests int
}

// Record is one received log record, decoded.
type Record struct {
	Resource     map[string]any
	Scope        string
	Attributes   map[string]any
	Body         string
	TimeUnixNano uint64
	Observed     uint64
	Severity     int32
	SeverityText string
	TraceID      string // hex, "" when unset
}

// Receiver is a running loopback receiver.
type Receiver struct {
	URL string // base URL: post to URL + "/v1/logs"

	srv *http.Server
	ln  net.Listener

	mu       sync.Mutex
	script   []Response
	records  []Record
	headers  map[string]map[string]bool // canonical name -> values seen
	requests int
	// points are the metric data points received, metricRequests the
	// metrics requests accepted.
	points         []DataPoint
	metricRequests int
	errs           []error
	notify         chan struct{}
	arrived        chan struct{} // closed and replaced at each request
	holds          holds
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves.
func Start(addr string) (*Receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Receiver{URL: "http://" + ln.Addr().String(), ln: ln, notify: make(chan struct{}, 1), arrived: make(chan struct{})}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // Close ends it
	return r, nil
}

// Close stops the receiver.
func (r *Receiver) Close() error { return r.srv.Close() }

// Script sets the answers to the next requests, in order; once used up,
// requests are answered 200.
func (r *Receiver) Script(responses ...Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script = append([]Response(nil), responses...)
}

// Records returns the records of every accepted request so far.
func (r *Receiver) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.records...)
}

// Requests counts the requests received, accepted or not.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// HeaderValues returns the distinct values of the request header name seen
// so far, sorted.
func (r *Receiver) HeaderValues(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for v := range r.headers[http.CanonicalHeaderKey(name)] {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Errors returns the requests the receiver could not decode.
func (r *Receiver) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// WaitFor waits until at least n records arrived or timeout passes, and
// returns the records.
func (r *Receiver) WaitFor(n int, timeout time.Duration) []Record {
	deadline := time.After(timeout)
	for {
		recs := r.Records()
		if len(recs) >= n {
			return recs
		}
		select {
		case <-r.notify:
		case <-deadline:
			return recs
		}
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || (req.URL.Path != "/v1/logs" && req.URL.Path != "/v1/metrics") {
		http.Error(w, "want POST /v1/logs or /v1/metrics", http.StatusNotFound)
		return
	}
	r.mu.Lock()
	r.requests++
	r.recordHeaders(req.Header)
	close(r.arrived)
	r.arrived = make(chan struct{})
	var resp Response
	if len(r.script) > 0 {
		resp, r.script = r.script[0], r.script[1:]
	}
	gate, after, epoch := r.holds.enter() // in the order of arrival
	arrival := r.requests
	r.mu.Unlock()
	ok, done := r.hold(w, req, arrival, epoch, gate, after)
	defer done()
	if !ok || !r.awaitRequests(req, resp.AfterRequests) {
		return
	}

	if r.scriptedFailure(w, req, resp) {
		return
	}
	if req.URL.Path == "/v1/metrics" {
		r.acceptMetrics(w, req, resp)
		return
	}
	r.acceptLogs(w, req, resp)
}

// recordHeaders notes every header value seen; r.mu is held.
func (r *Receiver) recordHeaders(h http.Header) {
	if r.headers == nil {
		r.headers = map[string]map[string]bool{}
	}
	for name, values := range h {
		if r.headers[name] == nil {
			r.headers[name] = map[string]bool{}
		}
		for _, v := range values {
			r.headers[name][v] = true
		}
	}
}

// scriptedFailure acts out resp's scripted drop, delay or error status, and
// reports whether the request was answered (or abandoned) by it.
func (r *Receiver) scriptedFailure(w http.ResponseWriter, req *http.Request, resp Response) bool {
	if resp.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
	}
	if resp.Delay > 0 {
		select {
		case <-time.After(resp.Delay):
		case <-req.Context().Done():
			return true
		}
	}
	if resp.Status != 0 && resp.Status != http.StatusOK {
		if resp.RetryAfter != "" {
			w.Header().Set("Retry-After", resp.RetryAfter)
		}
		http.Error(w, fmt.Sprintf("scripted %d", resp.Status), resp.Status)
		return true
	}
	return false
}

// acceptLogs decodes an OTLP logs request, keeps its records (less the
// scripted rejections) and answers it.
func (r *Receiver) acceptLogs(w http.ResponseWriter, req *http.Request, resp Response) {
	msg, isJSON, err := decode(req)
	if err != nil {
		r.badRequest(w, err)
		return
	}
	recs := accepted(flatten(msg), resp.Rejected)
	r.mu.Lock()
	r.records = append(r.records, recs...)
	r.mu.Unlock()
	r.arrivedData()
	out := &collogspb.ExportLogsServiceResponse{}
	if resp.Rejected > 0 || resp.Warning != "" {
		out.PartialSuccess = &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: resp.Rejected, ErrorMessage: resp.partialMessage()}
	}
	respond(w, out, isJSON)
}

// awaitRequests waits until n requests have arrived; false when the client
// gave up first.
func (r *Receiver) awaitRequests(req *http.Request, n int) bool {
	for {
		r.mu.Lock()
		arrived, done := r.arrived, r.requests >= n
		r.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-arrived:
		case <-req.Context().Done():
			return false
		}
	}
}

func decode(req *http.Request) (*collogspb.ExportLogsServiceRequest, bool, error) {
	msg := &collogspb.ExportLogsServiceRequest{}
	isJSON, err := decodeRequest(req, msg)
	return msg, isJSON, err
}

// decodeRequest reads an OTLP/HTTP request body into msg: gzip, zstd or no
// Content-Encoding; protobuf or JSON (trace and span ids as hex, as OTLP/JSON
// has them) by its Content-Type. It reports whether the body was JSON.
func decodeRequest(req *http.Request, msg proto.Message) (bool, error) {
	var body io.Reader = req.Body
	switch ce := req.Header.Get("Content-Encoding"); ce {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			return false, fmt.Errorf("gzip: %w", err)
		}
		body = zr
	case "zstd":
		zr, err := zstd.NewReader(req.Body)
		if err != nil {
			return false, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		body = zr
	default:
		return false, fmt.Errorf("unexpected Content-Encoding %q", ce)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return false, err
	}
	switch ct := req.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/x-protobuf"):
		return false, proto.Unmarshal(raw, msg)
	case strings.HasPrefix(ct, "application/json"):
		fixed, err := hexIDsToBase64(raw)
		if err != nil {
			return true, err
		}
		return true, protojson.Unmarshal(fixed, msg)
	default:
		return false, fmt.Errorf("unexpected Content-Type %q", ct)
	}
}

// badRequest records err and answers 400 with it.
func (r *Receiver) badRequest(w http.ResponseWriter, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	http.Error(w, err.Error(), http.StatusBadRequest)
}

// accepted drops the last rejected items, as a scripted partial success
// rejects them (all kept when rejected is out of range).
func accepted[T any](items []T, rejected int64) []T {
	if rejected > 0 && rejected <= int64(len(items)) {
		return items[:int64(len(items))-rejected]
	}
	return items
}

// arrivedData wakes a waiter for records or data points.
func (r *Receiver) arrivedData() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// respond writes an OTLP/HTTP response in the request's encoding.
func respond(w http.ResponseWriter, out proto.Message, isJSON bool) {
	var b []byte
	if isJSON {
		b, _ = protojson.Marshal(out)
		w.Header().Set("Content-Type", "application/json")
	} else {
		b, _ = proto.Marshal(out)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}
	w.Write(b) //nolint:errcheck
}

func flatten(msg *collogspb.ExportLogsServiceRequest) []Record {
	var out []Record
	for _, rl := range msg.GetResourceLogs() {
		res := attrMap(rl.GetResource().GetAttributes())
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				rec := Record{
					Resource: res, Scope: sl.GetScope().GetName(), Attributes: attrMap(lr.GetAttributes()),
					Body: lr.GetBody().GetStringValue(), TimeUnixNano: lr.GetTimeUnixNano(), Observed: lr.GetObservedTimeUnixNano(),
					Severity: int32(lr.GetSeverityNumber()), SeverityText: lr.GetSeverityText(),
				}
				if id := lr.GetTraceId(); len(id) > 0 && !bytes.Equal(id, make([]byte, len(id))) {
					rec.TraceID = hex.EncodeToString(id)
				}
				out = append(out, rec)
			}
		}
	}
	return out
}

func attrMap(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

// value converts an AnyValue: string, int64, float64, bool, []any.
func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return out
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	case *commonpb.AnyValue_KvlistValue:
		return attrMap(x.KvlistValue.GetValues())
	default:
		return nil
	}
}

// hexIDsToBase64 rewrites the traceId and spanId fields of OTLP/JSON from the
// hex OTLP/JSON uses to the base64 protojson expects for bytes (the one place
// OTLP/JSON departs from the protobuf JSON mapping).
func hexIDsToBase64(raw []byte) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("OTLP/JSON: %w", err)
	}
	var walk func(v any) error
	walk = func(v any) error {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if s, ok := val.(string); ok && (k == "traceId" || k == "spanId") {
					b, err := hex.DecodeString(s)
					if err != nil {
						return fmt.Errorf("OTLP/JSON %s %q is not hex: %w", k, s, err)
					}
					x[k] = base64.StdEncoding.EncodeToString(b)
					continue
				}
				if err := walk(val); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range x {
				if err := walk(e); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// partialMessage is the partial success's message: the Warning, else
// "scripted rejection".
func (r Response) partialMessage() string {
	if r.Warning != "" {
		return r.Warning
	}
	return "scripted rejection"
}
