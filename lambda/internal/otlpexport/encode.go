package otlpexport

import (
	"bytes"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpjson"
)

// maxPooledBuffer is the largest buffer kept for reuse; larger ones are left to
// the garbage collector so one huge request does not pin memory.
const maxPooledBuffer = 16 << 20

// encoder turns encoded requests into request bodies, reusing gzip writers and
// output buffers. It is safe for concurrent use: the pipeline compresses
// several requests at once, one per core.
type encoder struct {
	json    bool
	gzip    bool
	level   int           // gzip level
	zstd    *zstd.Encoder // non-nil when compressing with zstd
	writers sync.Pool     // *gzip.Writer
	buffers sync.Pool     // *bytes.Buffer
}

// newEncoder returns the encoder of cfg (defaults applied).
func newEncoder(cfg Config) *encoder {
	e := &encoder{json: cfg.Protocol == ProtocolHTTPJSON, gzip: cfg.Compression == CompressionGzip, level: cfg.GzipLevel}
	if cfg.Compression == CompressionZstd {
		// EncodeAll may run on several goroutines at once, each on one core;
		// the default level is zstd's "default" (level 3).
		e.zstd, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithLowerEncoderMem(true))
	}
	return e
}

// compresses reports whether request bodies are compressed.
func (e *encoder) compresses() bool { return e.gzip || e.zstd != nil }

// payload is one encoded request body, shared by all attempts of an export. Its
// buffer goes back to the pool when the exporter and every request body reading
// it have released it: the HTTP transport may close a request body after
// Client.Do has returned.
type payload struct {
	data []byte
	buf  *bytes.Buffer // non-nil when data lives in a pooled buffer
	enc  *encoder
	refs atomic.Int32
}

// encodeProto makes the request body of raw, an ExportLogsServiceRequest encoded
// as OTLP protobuf that the caller keeps: the payload does not refer to it.
func (e *encoder) encodeProto(raw []byte) (*payload, error) {
	if e.json {
		j, err := otlpjson.AppendLogsRequest(nil, raw)
		if err != nil {
			return nil, err
		}
		return e.pack(j, true), nil
	}
	return e.pack(raw, false), nil
}

// pack compresses raw, when the encoder compresses, into a pooled buffer.
// Otherwise the payload is raw itself when owned (no one else uses it), or a
// pooled copy.
func (e *encoder) pack(raw []byte, owned bool) *payload {
	p := &payload{enc: e}
	p.refs.Store(1)
	if !e.compresses() && owned {
		p.data = raw
		return p
	}

	buf, _ := e.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	switch {
	case e.zstd != nil:
		buf.Grow(len(raw)/6 + 64)
		p.data = e.zstd.EncodeAll(raw, buf.Bytes()[:0])
		if cap(p.data) <= buf.Cap() {
			p.buf = buf // EncodeAll wrote into buf's array
		} else {
			e.buffers.Put(buf)
		}
		return p
	case !e.gzip:
		buf.Write(raw)
		p.data = buf.Bytes()
		p.buf = buf
		return p
	}
	// OTLP log batches compress 8-15x.
	buf.Grow(len(raw)/6 + 64)
	zw, _ := e.writers.Get().(*gzip.Writer)
	if zw == nil {
		// The level was validated: NewWriterLevel cannot fail.
		zw, _ = gzip.NewWriterLevel(buf, e.level)
	} else {
		zw.Reset(buf)
	}
	// gzip.Writer fails only when the writer under it does, and a bytes.Buffer
	// never fails a write.
	_, _ = zw.Write(raw)
	_ = zw.Close()
	zw.Reset(io.Discard) // drop the reference to buf
	e.writers.Put(zw)
	p.data = buf.Bytes()
	p.buf = buf
	return p
}

// release drops one reference; the last one returns the buffer to the pool.
func (p *payload) release() {
	if p.refs.Add(-1) != 0 || p.buf == nil {
		return
	}
	if p.buf.Cap() <= maxPooledBuffer {
		p.enc.buffers.Put(p.buf)
	}
	p.buf = nil
	p.data = nil
}

// newBody returns a request body reading p; closing it releases its reference.
func (p *payload) newBody() io.ReadCloser {
	p.refs.Add(1)
	b := &body{p: p}
	b.r.Reset(p.data)
	return b
}

// body is an http.Request body over a payload.
type body struct {
	r      bytes.Reader
	p      *payload
	closed atomic.Bool
}

func (b *body) Read(dst []byte) (int, error) { return b.r.Read(dst) }

func (b *body) WriteTo(w io.Writer) (int64, error) { return b.r.WriteTo(w) }

func (b *body) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.p.release()
	}
	return nil
}
