package handler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// One SQS batch holds every shape of message the work queue can carry. The
// S3 notifications (and the s3:TestEvent) are the ones moto's S3 sends to the
// queue; the EventBridge and SNS bodies are written as AWS sends them.
func TestHandleSQS_MixedBatchFailsExactlyTheBadMessages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	srv := mototest.Shared(t)

	nlb := w.put(loggen.NLB, 2, 120, "", "444455556666", "us-east-2")
	clb := w.put(loggen.CLB, 3, 80, "", "777788889999", "ap-southeast-2")

	// From here on, moto's S3 notifies a queue of its own.
	notifyURL := srv.Queue(t, w.sqs, nil)
	attrs, err := w.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &notifyURL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: &w.bucket,
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
			Events:   []s3types.Event{s3types.EventS3ObjectCreated},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	alb := w.put(loggen.ALB, 1, 250, "", "111122223333", "eu-west-1")
	conn := w.put(loggen.ALBConnection, 4, 60, "", "111122223333", "eu-central-1")
	w.putBytes("AWSLogs/111122223333/ELBAccessLogTestFile", []byte("Enable AccessLog for ELB: shop-frontend at 2026-11-25T10:00:00.000Z\n"))

	fromMoto := w.drain(notifyURL)
	if len(fromMoto) != 4 {
		t.Fatalf("moto sent %d notifications, want 4 (s3:TestEvent, 2 log objects, ELBAccessLogTestFile)", len(fromMoto))
	}
	if n, err := event.Decode([]byte(fromMoto[0].Body)); err != nil || n.Kind != event.KindTestEvent {
		t.Errorf("moto's first notification decodes as kind %v, %v, want an s3:TestEvent: %s", n.Kind, err, fromMoto[0].Body)
	}

	missing := object{key: "AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2026/11/25/gone.log.gz", etag: `"0123"`, size: 10}
	msgs := append(fromMoto,
		message("eventbridge", eventBridgeEvent(w.bucket, nlb)),
		message("malformed", `{"Records": [{"eventSource": "aws:s3", "s3": `),
		message("sns", snsWrapped(s3Notification(w.bucket, clb))),
		message("missing-object", s3Notification(w.bucket, missing)),
	)
	h := w.handler(pipeline.Options{MaxBatchRecords: 100})
	resp, err := h.HandleSQS(ctx, batch(msgs...))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failures(resp), []string{"malformed", "missing-object"}; !slices.Equal(got, want) {
		t.Errorf("BatchItemFailures = %v, want %v", got, want)
	}
	w.checkDelivered(alb, conn, nlb, clb)
	if left := w.drain(w.queueURL); len(left) != 0 {
		t.Errorf("%d messages on the work queue, want none: %v", len(left), left)
	}
}

// When the endpoint cannot take the records, the message fails (SQS
// redelivers it, then parks it in the DLQ), the object stays in S3 even with
// DeleteObjects, and nothing is continued.
func TestHandleSQS_ExportFailureFailsTheMessage(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		script   []otlptest.Response
		endpoint string // default: the receiver
	}{
		"503 forever":        {script: repeat(otlptest.Response{Status: 503}, 100000)},
		"400 bad request":    {script: []otlptest.Response{{Status: 400}}},
		"connection refused": {endpoint: "http://127.0.0.1:1/v1/logs"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			o := w.put(loggen.ALB, 1, 50, "", "123456789012", "eu-west-1")
			h := w.handler(pipeline.Options{})
			if tt.endpoint != "" {
				h = w.handlerTo(tt.endpoint, pipeline.Options{})
			}
			h.DeleteObjects = true
			h.StartMargin = time.Millisecond
			w.rcv.Script(tt.script...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			resp, err := h.HandleSQS(ctx, batch(message("m1", s3Notification(w.bucket, o))))
			if err != nil {
				t.Fatal(err)
			}
			if got := failures(resp); !slices.Equal(got, []string{"m1"}) {
				t.Errorf("BatchItemFailures = %v, want [m1]", got)
			}
			if recs := w.rcv.Records(); len(recs) != 0 {
				t.Errorf("receiver accepted %d records", len(recs))
			}
			if tt.endpoint == "" && w.rcv.Requests() == 0 {
				t.Error("the receiver got no request: the message failed before the export")
			}
			if !w.exists(o.key) {
				t.Error("the object was deleted although its lines were not shipped")
			}
			if left := w.drain(w.queueURL); len(left) != 0 {
				t.Errorf("%d messages on the work queue, want none: %v", len(left), left)
			}
		})
	}
}

func TestHandleSQS_DeletesTheObjectOnceShipped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 1, 30, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	h.DeleteObjects = true
	resp, err := h.HandleSQS(context.Background(), batch(message("m1", eventBridgeEvent(w.bucket, o))))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	w.checkDelivered(o)
	if w.exists(o.key) {
		t.Error("the object is still in S3 after it was shipped with DeleteObjects")
	}
	// At-least-once delivery: the same notification again finds the object
	// gone. With deletion on that means shipped; it must not fail (and end in
	// the DLQ with an alarm for logs already delivered).
	resp, err = h.HandleSQS(context.Background(), batch(message("m2", eventBridgeEvent(w.bucket, o))))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Errorf("redelivery of a shipped and deleted object: %v, %v; want no failure", failures(resp), err)
	}
	w.checkDelivered(o) // still exactly once
}

// TestHandleSQS_ShortFunctionTimeoutStillShips: with the default start margin
// (30 s, at most a third of the time left), a function with a 30 s timeout
// ships its messages instead of handing every one back.
func TestHandleSQS_ShortFunctionTimeoutStillShips(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 1, 20, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{StopMargin: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := h.HandleSQS(ctx, batch(message("m1", s3Notification(w.bucket, o))))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	w.checkDelivered(o)
	if msgs := w.drain(w.queueURL); len(msgs) != 0 {
		t.Errorf("%d messages handed back to the queue, want none", len(msgs))
	}
}

// A deadline inside the pipeline's StopMargin stops the object after a
// batch: the rest goes back on the queue as a continuation, and the
// original message succeeds. Feeding each continuation back ships the rest,
// every line exactly once.
func TestHandleSQS_ContinuesAnObjectTheDeadlineCutsShort(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 7, 350, "", "123456789012", "eu-west-1")
	// The deadline is an hour away, but the StopMargin is two hours: each
	// run stops after its first batch of 100.
	h := w.handler(pipeline.Options{MaxBatchRecords: 100, StopMargin: 2 * time.Hour})
	h.StartMargin = time.Millisecond
	h.DeleteObjects = true // only once the last part is shipped
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	next := []events.SQSMessage{message("original", s3Notification(w.bucket, o))}
	var startLines []int64
	for run := 0; len(next) > 0; run++ {
		if run == 10 {
			t.Fatal("still continuing after 10 runs")
		}
		resp, err := h.HandleSQS(ctx, batch(next...))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.BatchItemFailures) != 0 {
			t.Fatalf("run %d: BatchItemFailures = %v, want none", run, failures(resp))
		}
		var objs []event.Object
		next, objs = w.continuations()
		if len(next) > 0 && !w.exists(o.key) {
			t.Fatalf("run %d: the object was deleted before its last part was shipped", run)
		}
		for _, c := range objs {
			if c.Bucket != w.bucket || c.Key != o.key || c.ETag != trimQuotes(o.etag) {
				t.Errorf("continuation names s3://%s/%s etag %s, want s3://%s/%s etag %s", c.Bucket, c.Key, c.ETag, w.bucket, o.key, trimQuotes(o.etag))
			}
			startLines = append(startLines, c.StartLine)
		}
	}
	if want := []int64{101, 201, 301}; !slices.Equal(startLines, want) {
		t.Errorf("continuations start at lines %v, want %v", startLines, want)
	}
	w.checkDelivered(o)
	if w.exists(o.key) {
		t.Error("the object is still in S3 after its last part was shipped with DeleteObjects")
	}
}

// A continuation reads the version it started with: when the object was
// replaced in between, it fails rather than ship lines of another file.
func TestHandleSQS_ContinuationOfAReplacedObjectFails(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 7, 30, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{MaxBatchRecords: 10, StopMargin: 2 * time.Hour})
	h.StartMargin = time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if resp, err := h.HandleSQS(ctx, batch(message("original", s3Notification(w.bucket, o)))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	cont, objs := w.continuations()
	if len(objs) != 1 || objs[0].StartLine != 11 {
		t.Fatalf("continuations = %+v, want one from line 11", objs)
	}
	before := len(w.rcv.Records())
	other := w.put(loggen.ALB, 8, 30, "", "123456789012", "eu-west-1")
	w.putBytes(o.key, w.get(other.key)) // the same key, other lines
	resp, err := h.HandleSQS(ctx, batch(cont[0]))
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); !slices.Equal(got, []string{cont[0].MessageId}) {
		t.Errorf("BatchItemFailures = %v, want the continuation %s", got, cont[0].MessageId)
	}
	if after := len(w.rcv.Records()); after != before {
		t.Errorf("%d records of the replaced object were shipped", after-before)
	}
}

// A message is not started with less than StartMargin left: it goes back on
// the queue unchanged and does not count as a failure (which would move it
// toward the DLQ).
func TestHandleSQS_PutsBackWhatItHasNoTimeToStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 1, 20, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	h.StartMargin = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bodies := []string{s3Notification(w.bucket, o), eventBridgeEvent(w.bucket, o)}
	resp, err := h.HandleSQS(ctx, batch(message("m1", bodies[0]), message("m2", bodies[1])))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("BatchItemFailures = %v, want none", failures(resp))
	}
	var got []string
	for _, m := range w.drain(w.queueURL) {
		got = append(got, m.Body)
	}
	slices.Sort(got)
	slices.Sort(bodies)
	if !slices.Equal(got, bodies) {
		t.Errorf("queue holds %q,\nwant the messages unchanged: %q", got, bodies)
	}
	if n := w.rcv.Requests(); n != 0 {
		t.Errorf("the receiver got %d requests, want none", n)
	}
}

// Without a queue to continue on, an object is shipped to its end whatever
// the deadline (Handler.Queue's documented behaviour).
func TestHandleSQS_WithoutQueueShipsToTheEnd(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.NLB, 5, 35, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{MaxBatchRecords: 10, StopMargin: 2 * time.Hour})
	h.Queue, h.QueueURL = nil, ""
	h.StartMargin = time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	resp, err := h.HandleSQS(ctx, batch(message("m1", s3Notification(w.bucket, o))))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("BatchItemFailures = %v, want none", failures(resp))
	}
	w.checkDelivered(o)
}

func repeat(r otlptest.Response, n int) []otlptest.Response {
	out := make([]otlptest.Response, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
