package otlpexport

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// maxPooledBuffer is the largest buffer kept for reuse; larger ones are left to
// the garbage collector so one huge request does not pin memory.
const maxPooledBuffer = 16 << 20

// encoder turns plog.Logs into request bodies, reusing gzip writers and output
// buffers. It is safe for concurrent use.
type encoder struct {
	json    bool
	gzip    bool
	writers sync.Pool // *gzip.Writer
	buffers sync.Pool // *bytes.Buffer
}

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

func (e *encoder) encode(ld plog.Logs) (*payload, error) {
	req := plogotlp.NewExportRequestFromLogs(ld)
	var raw []byte
	var err error
	if e.json {
		raw, err = req.MarshalJSON()
	} else {
		raw, err = req.MarshalProto()
	}
	if err != nil {
		return nil, err
	}
	p := &payload{enc: e}
	p.refs.Store(1)
	if !e.gzip {
		p.data = raw
		return p, nil
	}

	buf, _ := e.buffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	// OTLP log batches typically compress 5-15x at level 1.
	buf.Grow(len(raw)/4 + 64)
	zw, _ := e.writers.Get().(*gzip.Writer)
	if zw == nil {
		// BestSpeed cannot fail: the level is valid.
		zw, _ = gzip.NewWriterLevel(buf, gzip.BestSpeed)
	} else {
		zw.Reset(buf)
	}
	_, err = zw.Write(raw)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	zw.Reset(io.Discard) // drop the reference to buf
	e.writers.Put(zw)
	if err != nil {
		e.buffers.Put(buf)
		return nil, err
	}
	p.data = buf.Bytes()
	p.buf = buf
	return p, nil
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
