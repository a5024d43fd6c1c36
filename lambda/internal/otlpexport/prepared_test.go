package otlpexport

import (
	"net/http"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// TestPrepareSend_EveryCompression prepares and sends a request at the gzip
// levels and with zstd: each arrives whole, with its Content-Encoding, and a
// higher gzip level sends fewer bytes.
func TestPrepareSend_EveryCompression(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cfg     Config
		wantEnc string
	}{
		"gzip level 1":         {cfg: Config{GzipLevel: 1}, wantEnc: "gzip"},
		"gzip default level 6": {cfg: Config{}, wantEnc: "gzip"},
		"gzip level 9":         {cfg: Config{GzipLevel: 9}, wantEnc: "gzip"},
		"zstd":                 {cfg: Config{Compression: CompressionZstd}, wantEnc: "zstd"},
		"zstd json":            {cfg: Config{Compression: CompressionZstd, Protocol: ProtocolHTTPJSON}, wantEnc: "zstd"},
	}
	var mu sync.Mutex
	sizes := map[string]int{}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newOTLPServer(t, ok200)
			tc.cfg.Endpoint = srv.url()
			e := newTestExporter(t, tc.cfg)
			ld, bodies := makeLogs(name, 500)
			raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.Prepare(raw, 500)
			if err != nil {
				t.Fatal(err)
			}
			clear(raw) // Prepare must not keep it
			size := p.Len()
			st, err := e.Send(testCtx(t), p)
			if err != nil {
				t.Fatal(err)
			}
			srv.assertExactlyOnce(t, bodies)
			seen := srv.seen()
			if len(seen) != 1 || seen[0].header.Get("Content-Encoding") != tc.wantEnc || int64(seen[0].wireBytes) != st.BytesSent || st.BytesSent != int64(size) {
				t.Fatalf("server saw %+v, Stats %+v, Len %d; want one %s request of Len bytes", seen, st, size, tc.wantEnc)
			}
			mu.Lock()
			sizes[name] = size
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		if sizes["gzip level 9"] >= sizes["gzip level 1"] {
			t.Errorf("gzip level 9 sent %d bytes, level 1 %d: want fewer", sizes["gzip level 9"], sizes["gzip level 1"])
		}
	})
}

func TestPrepare_ReleaseWithoutSending(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url()})
	ld, _ := makeLogs("unsent", 10)
	raw, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	p, err := e.Prepare(raw, 10)
	if err != nil {
		t.Fatal(err)
	}
	p.Release()
	p.Release() // twice is harmless
	if len(srv.seen()) != 0 {
		t.Errorf("a released request was sent")
	}
}

// TestWithPushback_CalledOn429And503 checks the hook sees each 429 and 503, with
// the Retry-After asked, and nothing else.
func TestWithPushback_CalledOn429And503(t *testing.T) {
	t.Parallel()
	srv := newOTLPServer(t, retry429("0"), only502, only503, ok200)
	e := newTestExporter(t, Config{Endpoint: srv.url(), Retry: fastRetry()})
	var mu sync.Mutex
	var got []Pushback
	ctx := WithPushback(testCtx(t), func(p Pushback) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	})
	ld, bodies := makeLogs("pushback", 10)
	if _, err := e.Export(ctx, ld); err != nil {
		t.Fatal(err)
	}
	srv.assertExactlyOnce(t, bodies)
	want := []Pushback{{StatusCode: http.StatusTooManyRequests, HasRetryAfter: true}, {StatusCode: http.StatusServiceUnavailable}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("pushbacks %+v, want %+v", got, want)
	}
}
