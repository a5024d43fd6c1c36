package otlpexport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Exporter sends logs to one OTLP/HTTP logs endpoint. It is safe for concurrent
// use; create one per process and reuse it, so connections are kept alive.
type Exporter struct {
	cfg          Config
	client       *http.Client
	header       http.Header // request headers, cloned per attempt
	host         string      // a Host header from Config.Headers, if any
	contentType  string
	safeEndpoint string // the endpoint without credentials, for messages
	enc          *encoder

	// sleep waits d or until ctx is done; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) error
}

// Stats describes one Export call, successful or not.
type Stats struct {
	// Attempts is the number of HTTP requests made.
	Attempts int
	// Retries is the number of attempts after the first.
	Retries int
	// BytesSent is the size on the wire (compressed body) of all attempts.
	BytesSent int64
	// AcceptedLogRecords is the number of records the backend took: those
	// sent less those it rejected. 0 when the export failed.
	AcceptedLogRecords int64
	// RejectedLogRecords is the number of records the backend accepted the
	// request for but rejected, from its OTLP partial success response (at
	// most the records sent). Those records exist nowhere else: the caller
	// must count them and keep their source; retrying would not help.
	RejectedLogRecords int64
	// RejectedDataPoints is, for an export of metrics, the number of data
	// points the backend rejected in its partial success response.
	RejectedDataPoints int64
	// PartialSuccessMessage is the backend's explanation of a partial success
	// (or a warning it sent with a full success): control characters replaced
	// by spaces, at most 512 bytes.
	PartialSuccessMessage string
}

// ExportError is the error of a failed Export. Retryable errors (429, 502, 503,
// 504, connection errors, timeouts, the context deadline) mean the records may
// succeed later: the caller must keep them (fail the SQS message so it is
// redelivered). Non-retryable ones (other 4xx and 5xx, redirects that would drop
// the body, TLS verification failures) will not succeed without a change of
// configuration or data.
type ExportError struct {
	// StatusCode is the HTTP status of the last attempt, or 0 when no response
	// was received.
	StatusCode int
	// Retryable tells whether the same request may succeed later.
	Retryable bool
	// Message is what the server said (the OTLP Status.message when it sent
	// one, truncated) or the transport error.
	Message string
	// Attempts is the number of HTTP requests made.
	Attempts int
	// Endpoint is the URL posted to, without credentials.
	Endpoint string

	stop  string // why retrying stopped, if it did
	cause error
}

// Error describes the failure with its status, the server's message and a hint
// on how to fix it. It never contains request header values.
func (e *ExportError) Error() string {
	var b strings.Builder
	b.WriteString("otlpexport: export failed")
	if e.Endpoint != "" && !strings.Contains(e.Message, e.Endpoint) {
		b.WriteString(" (POST " + e.Endpoint + ")")
	}
	switch e.Attempts {
	case 0: // not sent
	case 1:
		b.WriteString(" after 1 attempt")
	default:
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	} else if e.Attempts > 0 {
		b.WriteString(": no response")
	}
	if e.Retryable {
		b.WriteString(" (retryable)")
	} else {
		b.WriteString(" (not retryable)")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(truncate(e.Message, 2*maxMessage))
	}
	if e.stop != "" {
		b.WriteString("; stopped retrying: ")
		b.WriteString(e.stop)
	}
	if h := hint(e.StatusCode); h != "" {
		b.WriteString("; ")
		b.WriteString(h)
	}
	return b.String()
}

// Unwrap returns the underlying transport or context error, if any.
func (e *ExportError) Unwrap() error { return e.cause }

func hint(status int) string {
	switch {
	case status == http.StatusBadRequest:
		return "the backend rejected the payload as invalid"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "check the API key or auth headers (OTEL_EXPORTER_OTLP_HEADERS)"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return "check the endpoint URL: OTLP/HTTP logs are usually served at /v1/logs on port 4318"
	case status == http.StatusRequestEntityTooLarge:
		return "the request is larger than the backend accepts: send smaller batches"
	case status == http.StatusUnsupportedMediaType:
		return "the backend does not accept this encoding: try OTEL_EXPORTER_OTLP_PROTOCOL=http/json or http/protobuf, or OTEL_EXPORTER_OTLP_COMPRESSION=none"
	case status >= 300 && status < 400:
		return "the endpoint redirects: set it to the final URL"
	}
	return ""
}

// New validates cfg, applies its defaults and returns an Exporter. Its error
// lists every problem found.
func New(cfg Config) (*Exporter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Exporter{
		cfg:          cfg,
		safeEndpoint: redactURL(cfg.Endpoint),
		enc:          newEncoder(cfg),
		sleep:        sleepCtx,
	}
	if cfg.HTTPClient == nil {
		e.client = newDefaultClient()
	} else {
		c := *cfg.HTTPClient
		if c.CheckRedirect == nil {
			c.CheckRedirect = checkRedirect
		}
		e.client = &c
	}

	e.header = http.Header{}
	for k, v := range cfg.Headers {
		if strings.EqualFold(k, "Host") {
			e.host = v
			continue
		}
		e.header.Set(k, v)
	}
	e.contentType = "application/x-protobuf"
	if cfg.Protocol == ProtocolHTTPJSON {
		e.contentType = "application/json"
	}
	e.header.Set("Content-Type", e.contentType)
	if cfg.Compression != CompressionNone {
		e.header.Set("Content-Encoding", cfg.Compression)
	} else {
		e.header.Del("Content-Encoding")
	}
	e.header.Set("User-Agent", cfg.UserAgent)
	return e, nil
}

// Config returns the configuration in use, defaults filled in.
func (e *Exporter) Config() Config { return e.cfg }

// ExportProto sends req as one request: req is an OTLP ExportLogsServiceRequest
// in protobuf holding records log records (the pipeline encodes records straight
// from the parsed lines). It is compressed (or, with the http/json protocol,
// rendered as OTLP/JSON) and sent, retrying retryable failures; ExportProto
// returns when the backend has accepted it, when a failure is not retryable, or
// when retrying must stop (RetryConfig.MaxElapsed reached, or the next wait
// would pass ctx's deadline: it then returns at once rather than sleep past
// it). Every error is an *ExportError. A request of 0 records is not sent. req
// is only read, and not used after ExportProto returns.
func (e *Exporter) ExportProto(ctx context.Context, req []byte, records int) (Stats, error) {
	if records == 0 {
		return Stats{}, nil
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, notSent(err)
	}
	p, err := e.enc.encodeProto(req)
	if err != nil {
		return Stats{}, &ExportError{Message: fmt.Sprintf("encoding %d log records: %v", records, err), cause: err}
	}
	return e.send(ctx, p, logsSignal, int64(records))
}

func notSent(err error) *ExportError {
	return &ExportError{Retryable: true, Message: "not sent: " + err.Error(), cause: err}
}

// send POSTs p, which holds records log records (data points for metrics), to
// the signal's endpoint, retrying as ExportProto says, and releases it.
func (e *Exporter) send(ctx context.Context, p *payload, sig signal, records int64) (Stats, error) {
	var st Stats
	defer p.release()

	start := time.Now()
	for {
		st.Attempts++
		st.BytesSent += int64(len(p.data))
		res := e.attempt(ctx, p, sig)
		if res.err == nil {
			rejected := min(max(res.rejected, 0), records)
			if sig == metricsSignal {
				st.RejectedDataPoints = rejected
			} else {
				st.RejectedLogRecords = rejected
				st.AcceptedLogRecords = records - rejected
			}
			st.PartialSuccessMessage = res.partialMessage
			return st, nil
		}
		xe := res.err
		xe.Attempts = st.Attempts
		xe.Endpoint = e.safeEndpoint
		if !xe.Retryable {
			return st, xe
		}
		pushedBack(ctx, xe.StatusCode, res)
		if e.cfg.Retry.Disabled {
			xe.stop = "retries are disabled"
			return st, xe
		}
		if err := ctx.Err(); err != nil {
			xe.stop = "the context ended"
			if xe.cause == nil {
				xe.cause = err
			}
			return st, xe
		}

		wait := e.backoff(st.Attempts)
		if res.hasRetryAfter {
			wait = min(res.retryAfter, e.cfg.Retry.MaxInterval)
		}
		now := time.Now()
		if elapsed := now.Sub(start); elapsed+wait > e.cfg.Retry.MaxElapsed {
			xe.stop = fmt.Sprintf("waiting %s more would pass Retry.MaxElapsed (%s) after %s", roundDur(wait), e.cfg.Retry.MaxElapsed, roundDur(elapsed))
			return st, xe
		}
		if deadline, ok := ctx.Deadline(); ok && now.Add(wait).After(deadline) {
			xe.stop = fmt.Sprintf("the next retry (in %s) would pass the context deadline (in %s)", roundDur(wait), roundDur(deadline.Sub(now)))
			return st, xe
		}
		if err := e.sleep(ctx, wait); err != nil {
			xe.stop = "interrupted while waiting to retry: " + err.Error()
			if xe.cause == nil {
				xe.cause = err
			}
			return st, xe
		}
		st.Retries++
	}
}

// attemptResult is the outcome of one HTTP attempt.
type attemptResult struct {
	err            *ExportError // nil on success
	retryAfter     time.Duration
	hasRetryAfter  bool
	rejected       int64
	partialMessage string
}

// Response body limits: enough for any OTLP response or Status, while a
// misbehaving server cannot make the exporter buffer without bound.
const (
	maxResponseBody = 64 << 10
	maxDrain        = 256 << 10
	maxMessage      = 512
)

func (e *Exporter) attempt(ctx context.Context, p *payload, sig signal) attemptResult {
	actx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	endpoint := e.cfg.Endpoint
	if sig == metricsSignal {
		endpoint = e.cfg.MetricsEndpoint
	}
	req, err := http.NewRequestWithContext(actx, http.MethodPost, endpoint, nil)
	if err != nil { // validated in New; kept for safety
		return attemptResult{err: &ExportError{Message: "building request: " + err.Error(), cause: err}}
	}
	req.Header = e.header.Clone()
	if e.host != "" {
		req.Host = e.host
	}
	req.Body = p.newBody()
	req.GetBody = func() (io.ReadCloser, error) { return p.newBody(), nil }
	req.ContentLength = int64(len(p.data))

	resp, err := e.client.Do(req)
	if err != nil {
		return attemptResult{err: e.transportError(err, ctx, actx)}
	}
	defer func() {
		// Drain a little so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
		_ = resp.Body.Close()
	}()

	respBody, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		if readErr != nil {
			// The outcome is unknown: send again (the backend can drop
			// duplicates by log.record.uid).
			xe := e.transportError(readErr, ctx, actx)
			xe.StatusCode = code
			xe.Message = "reading the response body: " + xe.Message
			return attemptResult{err: xe}
		}
		res := attemptResult{}
		if sig == metricsSignal {
			res.rejected, res.partialMessage = decodeMetricsPartialSuccess(resp.Header.Get("Content-Type"), respBody, e.cfg.Protocol)
		} else {
			res.rejected, res.partialMessage = decodePartialSuccess(resp.Header.Get("Content-Type"), respBody, e.cfg.Protocol)
		}
		return res

	case code == http.StatusTooManyRequests || code == http.StatusBadGateway ||
		code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout:
		res := attemptResult{err: &ExportError{StatusCode: code, Retryable: true, Message: statusMessage(resp.Header.Get("Content-Type"), respBody)}}
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			res.retryAfter, res.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return res

	default:
		msg := statusMessage(resp.Header.Get("Content-Type"), respBody)
		if code >= 300 && code < 400 {
			if loc := resp.Header.Get("Location"); loc != "" {
				msg = strings.TrimPrefix(msg+"; redirected to "+redactURL(loc), "; ")
			}
		}
		return attemptResult{err: &ExportError{StatusCode: code, Message: msg}}
	}
}

// transportError classifies an error from sending the request or reading the
// response. It strips the URL net/http adds (it may hold credentials) and names
// the per-attempt timeout when that is what fired.
func (e *Exporter) transportError(err error, ctx, actx context.Context) *ExportError {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	xe := &ExportError{Retryable: true, cause: inner}
	switch {
	case ctx.Err() != nil:
		xe.Message = fmt.Sprintf("POST %s: %v", e.safeEndpoint, ctx.Err())
		xe.cause = ctx.Err()
	case actx.Err() != nil:
		xe.Message = fmt.Sprintf("POST %s: no response within Timeout (%s per attempt)", e.safeEndpoint, e.cfg.Timeout)
		xe.cause = actx.Err()
	default:
		xe.Message = fmt.Sprintf("POST %s: %v", e.safeEndpoint, inner)
	}

	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalidCert      x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) ||
		errors.As(err, &invalidCert) || errors.As(err, &verify) {
		// Retrying cannot fix a certificate the client does not trust.
		xe.Retryable = false
		xe.Message += " (TLS certificate not trusted: check the endpoint's host name and certificate)"
	}
	return xe
}

// backoff returns the full-jitter wait before retry number n (n >= 1): a random
// duration in [0, min(MaxInterval, InitialInterval*2^(n-1))].
func (e *Exporter) backoff(n int) time.Duration {
	ceil := e.cfg.Retry.MaxInterval
	// In floating point: the doubling passes a Duration's range after about
	// 60 retries, and the comparison keeps the conversion back within it.
	if d := float64(e.cfg.Retry.InitialInterval) * math.Exp2(float64(n-1)); d < float64(ceil) {
		ceil = time.Duration(d)
	}
	return time.Duration(rand.Uint64N(uint64(ceil) + 1)) // ceil+1 would overflow at a MaxInterval of math.MaxInt64
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d
}
