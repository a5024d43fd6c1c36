// Package handler runs the log shipper for one invocation: it decodes the
// notifications, ships each named log object with the pipeline, reports
// per-message failures to SQS, continues objects the deadline cut short, and
// writes a CloudWatch Embedded Metric Format line per object. The Lambda
// function, the `elb-otel consume` worker and the CLI share it.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// S3API is the part of the S3 client the handler uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// QueueAPI is the part of the SQS client the handler uses to continue
// objects and to fan out backfills.
type QueueAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Handler ships the log objects named by notifications.
type Handler struct {
	S3      S3API
	Shipper *pipeline.Shipper
	// Queue and QueueURL receive continuations and backfill fan-out. Without
	// them, objects are shipped to the end whatever the deadline, and a
	// backfill ships every object inline.
	Queue    QueueAPI
	QueueURL string
	// DeleteObjects deletes each object once every line was exported and
	// accepted: never one with records the endpoint rejected.
	DeleteObjects bool
	// OnRejected says what happens to the message of an object with rejected
	// records. Default: RejectedFail.
	OnRejected OnRejected
	// Prefix, when set, limits the keys shipped (others are skipped, logged).
	Prefix string
	// Bucket, when set, is the only bucket read: a message naming another
	// (anyone who may send to the queue could) fails, and nothing of that
	// bucket is read or deleted.
	Bucket string
	// Logger writes structured logs. Default: discard.
	Logger *slog.Logger
	// Metrics receives one Embedded Metric Format JSON line per object.
	// Default: none.
	Metrics io.Writer
	// MetricsPrefix, when set, is where a CloudWatch metric stream's
	// delivery stream writes: objects under it must be metric-stream objects
	// and are exported as metrics; objects outside it must not be.
	MetricsPrefix string
	// MetricExporter exports metric-stream objects (the same
	// otlpexport.Exporter as the logs', posting to /v1/metrics). Without it
	// such objects fail with a clear error.
	MetricExporter metricstream.Exporter
	// MetricOptions shape the exported metrics (resource, PollingNames,
	// batches).
	MetricOptions metricstream.ShipOptions
	// StartMargin: a message is not started when less than this remains
	// before the deadline; it is put back on the queue instead. Default: 30 s,
	// but at most a third of the invocation's time.
	StartMargin time.Duration

	metricsMu sync.Mutex
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// HandleSQS ships the objects of every message and returns the messages that
// failed, so SQS redelivers only those (ReportBatchItemFailures).
func (h *Handler) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	ctx, cancel, startMargin := h.budget(ctx)
	defer cancel()
	for _, msg := range ev.Records {
		if err := h.handleMessage(ctx, msg, startMargin); err != nil {
			h.logger().Error("message failed; SQS will redeliver it", "messageId", msg.MessageId, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (h *Handler) handleMessage(ctx context.Context, msg events.SQSMessage, startMargin time.Duration) error {
	if tooLate(ctx, startMargin) && h.canContinue() {
		// Not enough time left to start: hand the message back unchanged
		// rather than fail it (a failure would count toward the DLQ).
		return h.send(ctx, msg.Body)
	}
	n, err := event.Decode([]byte(msg.Body))
	if err != nil {
		return err
	}
	return h.handleNotification(ctx, n)
}

func (h *Handler) handleNotification(ctx context.Context, n event.Notification) error {
	switch n.Kind {
	case event.KindTestEvent:
		h.logger().Info("skipped s3:TestEvent")
		return nil
	case event.KindBackfill:
		_, err := h.Backfill(ctx, n.Backfill)
		return err
	}
	var errs []error
	for _, obj := range n.Objects {
		if err := h.handleObject(ctx, obj); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) handleObject(ctx context.Context, obj event.Object) error {
	log := h.logger().With("bucket", obj.Bucket, "key", obj.Key)
	if err := h.checkBucket(obj.Bucket); err != nil {
		return fmt.Errorf("s3://%s/%s: %w", obj.Bucket, obj.Key, err)
	}
	metricKey := h.isMetricKey(obj.Key)
	if !metricKey && !event.IsLogKey(obj.Key) {
		log.Info("skipped: not an ELB log object")
		return nil
	}
	if !metricKey && h.Prefix != "" && !strings.HasPrefix(obj.Key, h.Prefix) {
		log.Warn("skipped: key outside the configured prefix", "prefix", h.Prefix)
		return nil
	}
	res, err := h.ShipObject(ctx, obj)
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %w", obj.Bucket, obj.Key, err)
	}
	if res.Rejected > 0 && h.OnRejected == RejectedFail {
		// report logged the endpoint's message; the error does not repeat it.
		return fmt.Errorf("s3://%s/%s: the endpoint rejected %d of %d records (partial success): the object is kept and the message fails, "+
			"so it reaches the dead-letter queue; redrive it once the cause is fixed", obj.Bucket, obj.Key, res.Rejected, res.Rejected+res.Records)
	}
	// Rejected records exist only in the object: never delete it, nor let a
	// later part of it (a continuation) do so.
	keep := obj.Keep || res.Rejected > 0
	if res.NextLine > 0 {
		next := obj
		next.StartLine = res.NextLine
		next.Keep = keep
		body, _ := json.Marshal(event.Continuation{Object: next})
		if err := h.send(ctx, string(body)); err != nil {
			return fmt.Errorf("s3://%s/%s: continuation from line %d: %w", obj.Bucket, obj.Key, res.NextLine, err)
		}
		log.Info("deadline near: continues in a new message", "nextLine", res.NextLine)
		return nil
	}
	if keep {
		if h.DeleteObjects {
			log.Warn("kept, not deleted: the endpoint rejected records of this object")
		}
		return nil
	}
	if h.DeleteObjects {
		if _, err := h.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}); err != nil {
			// Every line was shipped; a failed delete must not re-ship it.
			log.Error("shipped, but the delete failed", "error", err.Error())
		}
	}
	return nil
}

// ShipObject streams one object from S3 through the pipeline, logs the
// outcome and writes its metrics. A continuation (StartLine > 1) reads the
// same version: the ETag must still match.
func (h *Handler) ShipObject(ctx context.Context, obj event.Object) (pipeline.Result, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}
	if obj.VersionID != "" {
		in.VersionId = aws.String(obj.VersionID)
	} else if obj.ETag != "" && obj.StartLine > 1 {
		in.IfMatch = aws.String(quoteETag(obj.ETag))
	}
	started := time.Now()
	out, err := h.S3.GetObject(ctx, in)
	if err != nil && h.DeleteObjects {
		// With deletion on, a missing object was shipped and deleted by an
		// earlier delivery of the same notification (delivery is at least
		// once): nothing to do, and no reason to park it in the DLQ.
		gone, listErr := h.gone(ctx, obj, err)
		if gone {
			h.logger().Info("object already gone (shipped and deleted by an earlier delivery)", "bucket", obj.Bucket, "key", obj.Key)
			return pipeline.Result{}, nil
		}
		err = errors.Join(err, listErr)
	}
	if err != nil {
		// Reported like any failed object, so FailedObjects counts it.
		err = fmt.Errorf("get object: %w", err)
		h.report(obj, pipeline.Result{}, time.Since(started), err)
		return pipeline.Result{}, err
	}
	defer out.Body.Close()
	etag := obj.ETag
	if etag == "" {
		etag = aws.ToString(out.ETag)
	}
	shipCtx := ctx
	if !h.canContinue() {
		// Nowhere to continue: ship to the end whatever the deadline (the
		// pipeline stops early only when its context has one). The end of
		// ctx still stops it.
		var cancel context.CancelFunc
		shipCtx, cancel = withoutDeadline(ctx)
		defer cancel()
	}
	body := &sourceReader{r: out.Body}
	res, err := h.ShipContent(shipCtx, obj, etag, body, h.expect(obj.Key))
	if err != nil && body.err != nil {
		// The download broke (connection reset, body cut short): the content
		// may be sound, and a retry will likely read it whole. Not corrupt.
		err = fmt.Errorf("reading s3://%s/%s failed after %d bytes (a transient read error; the message is retried): %w", obj.Bucket, obj.Key, body.n, body.err)
	}
	h.report(obj, res, time.Since(started), err)
	return res, err
}

// checkBucket refuses a bucket other than Bucket.
func (h *Handler) checkBucket(bucket string) error {
	if h.Bucket != "" && bucket != h.Bucket {
		return fmt.Errorf("bucket %q is not the log bucket %q (%s): refused, nothing read", bucket, h.Bucket, contract.EnvBucket)
	}
	return nil
}

// sourceReader remembers the error of the object's download, so a failure
// to read it is not taken for a corrupt object.
type sourceReader struct {
	r   io.Reader
	n   int64
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// canContinue reports whether there is a queue to continue objects on.
func (h *Handler) canContinue() bool { return h.Queue != nil && h.QueueURL != "" }

// withoutDeadline returns a context without ctx's deadline that still ends
// when ctx does.
func withoutDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	return c, func() {
		stop()
		cancel(context.Canceled)
	}
}

func (h *Handler) report(obj event.Object, res pipeline.Result, took time.Duration, err error) {
	attrs := []any{
		"bucket", obj.Bucket, "key", obj.Key, "format", res.Format, "startLine", obj.StartLine,
		"lines", res.Lines, "accepted", res.Records, "rejected", res.Rejected, "parseErrors", res.ParseErrors, "skipped", res.Skipped,
		"truncated", res.Truncated, "replacedUTF8", res.Replaced, "batches", res.Batches, "retries", res.Retries,
		"bytesRead", res.BytesRead, "bytesSent", res.BytesSent, "nextLine", res.NextLine,
		"lagSeconds", res.MaxLag.Seconds(), "seconds", took.Seconds(),
	}
	if res.RejectedMessage != "" {
		// Once per object, as the exporter sanitized and bounded it.
		attrs = append(attrs, "endpointMessage", res.RejectedMessage)
	}
	switch {
	case err != nil:
		h.logger().Error("object failed", append(attrs, "error", err.Error())...)
	case res.Rejected > 0:
		h.logger().Warn("endpoint rejected some records (partial success)", attrs...)
	default:
		h.logger().Info("object shipped", attrs...)
	}
	if h.Metrics != nil {
		h.metricsMu.Lock()
		defer h.metricsMu.Unlock()
		writeEMF(h.Metrics, time.Now(), res, err != nil)
	}
}

func (h *Handler) send(ctx context.Context, body string) error {
	if !h.canContinue() {
		return errors.New("no work queue configured to continue on")
	}
	// Detach from the invocation's deadline: this is the last thing to do.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := h.Queue.SendMessage(sendCtx, &sqs.SendMessageInput{QueueUrl: aws.String(h.QueueURL), MessageBody: aws.String(body)})
	return err
}

// Defaults of the time budget.
const (
	defaultStartMargin = 30 * time.Second
	maxReserve         = 5 * time.Second
)

// budget splits the invocation's time. The work gets a deadline a little
// before the invocation's (a tenth of the time left, at most 5 s), so the
// batch item failures reach Lambda before its hard timeout: a timed-out
// invocation would redeliver the whole batch. And a message is not started
// when less than the start margin is left: StartMargin when set, else 30 s but
// at most a third of the time left, so a short function timeout still gets
// work done instead of handing every message back.
func (h *Handler) budget(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	deadline, ok := ctx.Deadline()
	margin := h.startMargin(ctx)
	if !ok {
		return ctx, func() {}, margin
	}
	left := time.Until(deadline)
	work, cancel := context.WithDeadline(ctx, deadline.Add(-min(maxReserve, left/10)))
	return work, cancel, margin
}

// startMargin is StartMargin when set, else 30 s but at most a third of the
// time ctx has left.
func (h *Handler) startMargin(ctx context.Context) time.Duration {
	if h.StartMargin > 0 {
		return h.StartMargin
	}
	margin := defaultStartMargin
	if deadline, ok := ctx.Deadline(); ok {
		margin = min(margin, time.Until(deadline)/3)
	}
	return margin
}

func tooLate(ctx context.Context, margin time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < margin
}

func quoteETag(etag string) string {
	if strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}
