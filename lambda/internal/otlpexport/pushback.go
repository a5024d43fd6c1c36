package otlpexport

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Pushback is a backend's request to slow down: an answer 429 Too Many Requests
// or 503 Service Unavailable, with the wait its Retry-After header asked for.
type Pushback struct {
	StatusCode int
	// RetryAfter is the wait the server asked for; valid when HasRetryAfter.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

type pushbackKey struct{}

// WithPushback returns a context whose exports call fn for each answer 429 or
// 503 (before they wait to retry), as net/http/httptrace attaches its hooks to
// a context. The pipeline uses it to send fewer requests at once while the
// backend pushes back. fn may be called from several goroutines at once.
func WithPushback(ctx context.Context, fn func(Pushback)) context.Context {
	return context.WithValue(ctx, pushbackKey{}, fn)
}

// pushedBack calls the context's pushback hook when status is 429 or 503.
func pushedBack(ctx context.Context, status int, res attemptResult) {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return
	}
	if fn, _ := ctx.Value(pushbackKey{}).(func(Pushback)); fn != nil {
		fn(Pushback{StatusCode: status, RetryAfter: res.retryAfter, HasRetryAfter: res.hasRetryAfter})
	}
}

// Prepared is a request compressed and ready to send: the pipeline compresses
// the next request while earlier ones are on the wire, so it splits ExportProto
// into Prepare and Send. Send it once, or Release it.
type Prepared struct {
	p       *payload
	records int
}

// Prepare compresses req (an ExportLogsServiceRequest in protobuf holding
// records log records; with the http/json protocol, it converts it to OTLP/JSON)
// as ExportProto does, without sending it. req is not used after Prepare
// returns. It is safe to call from several goroutines at once.
func (e *Exporter) Prepare(req []byte, records int) (*Prepared, error) {
	p, err := e.enc.encodeProto(req)
	if err != nil {
		return nil, &ExportError{Message: fmt.Sprintf("encoding %d log records: %v", records, err), cause: err}
	}
	return &Prepared{p: p, records: records}, nil
}

// Len is the size of the request body on the wire.
func (p *Prepared) Len() int { return len(p.p.data) }

// Release frees a request that will not be sent.
func (p *Prepared) Release() {
	if p.p != nil {
		p.p.release()
		p.p = nil
	}
}

// Send sends a prepared request as ExportProto does (retries included) and
// releases it. A request of 0 records is not sent.
func (e *Exporter) Send(ctx context.Context, p *Prepared) (Stats, error) {
	if p.records == 0 {
		p.Release()
		return Stats{}, nil
	}
	if err := ctx.Err(); err != nil {
		p.Release()
		return Stats{}, notSent(err)
	}
	pl := p.p
	p.p = nil
	return e.send(ctx, pl, logsSignal, int64(p.records))
}
