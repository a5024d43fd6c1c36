package otlpexport

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/elb-otel/elb-otel/internal/racedetect"
)

// encoderConfigs are the body encodings whose buffers come from the pool.
var encoderConfigs = map[string]Config{
	"gzip": {Compression: CompressionGzip, GzipLevel: DefaultGzipLevel},
	"zstd": {Compression: CompressionZstd},
	"none": {Compression: CompressionNone},
}

// decodeBody undoes the encoder's compression.
func decodeBody(t *testing.T, compression string, data []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(data)
	switch compression {
	case CompressionGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("gunzip: %v", err)
		}
		r = zr
	case CompressionZstd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatalf("zstd: %v", err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", compression, err)
	}
	return out
}

// TestEncoder_APayloadKeepsItsBytesUntilReleased: a body held for a retry is
// not overwritten by the requests encoded after it, which reuse the pooled
// buffers of the ones released.
func TestEncoder_APayloadKeepsItsBytesUntilReleased(t *testing.T) {
	t.Parallel()
	for name, cfg := range encoderConfigs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEncoder(cfg)
			held := bytes.Repeat([]byte("the held request "), 200)
			p := e.pack(held, false)
			for i := range 20 {
				other := e.pack(bytes.Repeat([]byte(fmt.Sprintf("request %d ", i)), 300), false)
				other.release()
			}
			if got := decodeBody(t, cfg.Compression, p.data); !bytes.Equal(got, held) {
				t.Fatalf("the held payload now decodes to %.60q..., want %.60q...", got, held)
			}
			p.release()
		})
	}
}

// TestEncoder_SmallBodies: bodies from empty to a few hundred bytes (a small
// metrics request, a batch of one short record) encode and decode whole with
// every compression; the compressed buffer is sized from the body's length.
func TestEncoder_SmallBodies(t *testing.T) {
	t.Parallel()
	for name, cfg := range encoderConfigs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEncoder(cfg)
			for _, n := range []int{0, 1, 100, 383, 384, 385} {
				raw := bytes.Repeat([]byte{'x'}, n)
				p := e.pack(raw, false)
				if got := decodeBody(t, cfg.Compression, p.data); !bytes.Equal(got, raw) {
					t.Errorf("a body of %d bytes decodes to %d bytes", n, len(got))
				}
				p.release()
			}
		})
	}
}

// TestAllocs_EncoderReusesItsBuffers: once a payload is released its buffer serves the
// next one, so a steady stream of requests allocates only the small payload
// header each (not the body, or the shipper's memory would churn with its
// throughput).
func TestAllocs_EncoderReusesItsBuffers(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random: `make test` runs TestAllocs_ without -race")
	}
	raw := bytes.Repeat([]byte("a log record of some length "), 400)
	for name, cfg := range encoderConfigs {
		t.Run(name, func(t *testing.T) {
			e := newEncoder(cfg)
			allocs := testing.AllocsPerRun(200, func() {
				p := e.pack(raw, false)
				p.release()
			})
			if allocs > 1 {
				t.Errorf("%.1f allocations per request, want 1 (the payload; the buffer is reused)", allocs)
			}
		})
	}
}

// TestAllocs_UnsentPreparedRequestGivesItsBufferBack: a prepared request that is released
// unsent gives its buffer back as a sent one does.
func TestAllocs_UnsentPreparedRequestGivesItsBufferBack(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector makes sync.Pool drop buffers at random: `make test` runs TestAllocs_ without -race")
	}
	e, err := New(Config{Endpoint: "http://localhost:4318/v1/logs"})
	if err != nil {
		t.Fatal(err)
	}
	raw := bytes.Repeat([]byte("a log record of some length "), 400)
	allocs := testing.AllocsPerRun(200, func() {
		p, err := e.Prepare(raw, 400)
		if err != nil {
			t.Fatal(err)
		}
		p.Release()
	})
	if allocs > 2 {
		t.Errorf("%.1f allocations per prepared request, want 2 (the payload and the Prepared; the buffer is reused)", allocs)
	}
}
