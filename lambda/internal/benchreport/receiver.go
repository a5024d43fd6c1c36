package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is a loopback OTLP/HTTP logs endpoint that counts and discards what it
// receives, except the first request after each reset, which it decodes with
// OpenTelemetry's own types to check that it holds records. It answers each
// request delay after reading its body, as a distant backend would.
type receiver struct {
	url string
	srv *http.Server

	mu    sync.Mutex
	st    receiverStats
	first bool // the next request is the first since reset
	delay time.Duration
}

type receiverStats struct {
	requests     int
	wireBytes    int64
	firstRecords int
	maxInFlight  int // most requests open at once
	inFlight     int
	err          error
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/v1/logs"}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // close ends it
	return r, nil
}

func (r *receiver) close() { _ = r.srv.Close() }

func (r *receiver) reset() { r.resetDelay(0) }

// resetDelay clears the counts and sets the delay of the answers.
func (r *receiver) resetDelay(delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st = receiverStats{}
	r.first = true
	r.delay = delay
}

func (r *receiver) stats() receiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *receiver) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.err == nil {
		r.st.err = err
	}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	first, delay := r.first, r.delay
	r.first = false
	r.st.inFlight++
	r.st.maxInFlight = max(r.st.maxInFlight, r.st.inFlight)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.st.inFlight--
		r.mu.Unlock()
	}()

	var n int64
	var err error
	if first {
		var raw []byte
		raw, err = io.ReadAll(req.Body)
		n = int64(len(raw))
		if err == nil {
			var records int
			records, err = decode(req.Header, raw)
			r.mu.Lock()
			r.st.firstRecords = records
			r.mu.Unlock()
		}
	} else {
		n, err = io.Copy(io.Discard, req.Body)
	}
	if err != nil {
		r.fail(err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	r.mu.Lock()
	r.st.requests++
	r.st.wireBytes += n
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// decode gunzips and decodes an OTLP/protobuf logs request and returns its number
// of records.
func decode(h http.Header, raw []byte) (int, error) {
	if h.Get("Content-Type") != "application/x-protobuf" {
		return 0, fmt.Errorf("Content-Type %q, want application/x-protobuf", h.Get("Content-Type"))
	}
	if h.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return 0, err
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return 0, err
		}
	}
	var msg collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		return 0, err
	}
	n := 0
	for _, rl := range msg.GetResourceLogs() {
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				if lr.GetBody().GetStringValue() == "" || len(lr.GetAttributes()) == 0 {
					return 0, errors.New("a record without body or attributes")
				}
				n++
			}
		}
	}
	return n, nil
}
