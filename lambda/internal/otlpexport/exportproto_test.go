package otlpexport

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

func TestExportProto_SendsEveryRecordOnce(t *testing.T) {
	t.Parallel()
	for name, tc := range encodings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, only503, ok200)
			e := newTestExporter(t, Config{Endpoint: srv.url(), Protocol: tc.protocol, Compression: tc.compression, Retry: fastRetry()})
			ld, bodies := makeLogs(name, 250)
			raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
			if err != nil {
				t.Fatal(err)
			}

			st, err := e.ExportProto(testCtx(t), raw, len(bodies))
			if err != nil {
				t.Fatalf("ExportProto: %v", err)
			}
			// The caller may reuse its buffer at once.
			for i := range raw {
				raw[i] = 0xff
			}
			srv.assertExactlyOnce(t, bodies)
			seen := srv.seen()
			if len(seen) != 2 || st.Attempts != 2 || st.Retries != 1 || st.BytesSent != int64(seen[0].wireBytes+seen[1].wireBytes) {
				t.Fatalf("%d requests, Stats %+v; want 2 attempts (a 503, then a 200)", len(seen), st)
			}
			for k, want := range map[string]string{"Content-Type": tc.wantType, "Content-Encoding": tc.wantEnc} {
				if got := seen[1].header.Get(k); got != want {
					t.Errorf("request header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestExportProto_SendsTheCallersBytes checks that a request the caller encoded
// goes out as it is (before compression).
func TestExportProto_SendsTheCallersBytes(t *testing.T) {
	t.Parallel()
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Error(err)
		}
		bodies = append(bodies, b)
	}))
	defer srv.Close()
	e := newTestExporter(t, Config{Endpoint: srv.URL + "/v1/logs"})
	ld, _ := makeLogs("same", 100)
	raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ExportProto(testCtx(t), raw, 100); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 1 || !bytes.Equal(bodies[0], raw) {
		t.Errorf("ExportProto sent other bytes than the caller's request")
	}
}

func TestExportProto_FailsLikeExport(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, only400())
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: fastRetry()})
	ld, bodies := makeLogs("bad", 3)
	raw, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	_, err := e.ExportProto(testCtx(t), raw, len(bodies))
	xe, ok := err.(*ExportError)
	if !ok || xe.Retryable || xe.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want a non-retryable 400", err)
	}

	// Nothing to send: no request.
	if st, err := e.ExportProto(testCtx(t), nil, 0); err != nil || st.Attempts != 0 {
		t.Errorf("empty request: %+v, %v", st, err)
	}
	if n := len(srv.seen()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func only400() step { return step{status: http.StatusBadRequest} }
