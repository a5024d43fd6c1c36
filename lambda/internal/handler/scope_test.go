package handler_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// TestHandleSQS_OnlyKeysUnderThePrefixAreShipped: with Prefix set, a log
// object outside it is skipped (the message succeeds, nothing is read), and
// one inside it ships.
func TestHandleSQS_OnlyKeysUnderThePrefixAreShipped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	inside := w.put(loggen.ALB, 61, 5, "elb/", "123456789012", "eu-west-1")
	outside := w.put(loggen.ALB, 62, 5, "other/", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	h.Prefix = "elb/"
	resp, err := h.HandleSQS(context.Background(), batch(
		message("in", eventBridgeEvent(w.bucket, inside)), message("out", eventBridgeEvent(w.bucket, outside))))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	w.checkDelivered(inside)
}

// TestHandleSQS_RefusesAnotherBucket: with Bucket set, a notification for
// another bucket fails its message and reads nothing (the function's role
// could read it if misconfigured: the check stands before IAM).
func TestHandleSQS_RefusesAnotherBucket(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 63, 5, "", "123456789012", "eu-west-1")
	other := newWorld(t)
	foreign := other.put(loggen.ALB, 64, 5, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	h.Bucket = w.bucket
	resp, err := h.HandleSQS(context.Background(), batch(
		message("ours", eventBridgeEvent(w.bucket, o)), message("theirs", eventBridgeEvent(other.bucket, foreign))))
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); len(got) != 1 || got[0] != "theirs" {
		t.Errorf("failed messages %v, want the other bucket's", got)
	}
	w.checkDelivered(o)
}

// TestShipObject_WithoutAnETagUsesTheObjects: a request without the ETag (the
// CLI's ship, a notification without one) ships under the ETag GetObject
// returns, so its records get the same log.record.uid as a notified delivery.
func TestShipObject_WithoutAnETagUsesTheObjects(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 65, 5, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	if _, err := h.ShipObject(context.Background(), event.Object{Bucket: w.bucket, Key: o.key}); err != nil {
		t.Fatal(err)
	}
	noETag := w.rcv.Records()

	rcv2, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv2.Close() })
	h2 := w.handlerTo(rcv2.URL+"/v1/logs", pipeline.Options{})
	if _, err := h2.ShipObject(context.Background(), event.Object{Bucket: w.bucket, Key: o.key, ETag: trimQuotes(o.etag)}); err != nil {
		t.Fatal(err)
	}
	withETag := rcv2.Records()
	if len(noETag) != 5 || len(withETag) != 5 {
		t.Fatalf("got %d and %d records, want 5 each", len(noETag), len(withETag))
	}
	for i := range noETag {
		a, b := noETag[i].Attributes["log.record.uid"], withETag[i].Attributes["log.record.uid"]
		if a != b {
			t.Errorf("record %d: log.record.uid %v without the ETag, %v with it; want the same", i, a, b)
		}
	}
}

// countingQueue is the real SQS client, counting the messages of each
// SendMessageBatch call.
type countingQueue struct {
	*sqs.Client
	mu      sync.Mutex
	batches []int
}

func (q *countingQueue) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	q.mu.Lock()
	q.batches = append(q.batches, len(in.Entries))
	q.mu.Unlock()
	return q.Client.SendMessageBatch(ctx, in, opts...)
}

// TestInvoke_BackfillSendsTenMessagesABatch: the backfill fans out in
// batches of ten, SQS's most, not a call per object.
func TestInvoke_BackfillSendsTenMessagesABatch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	backfillObjects(w)
	h := w.handler(pipeline.Options{})
	q := &countingQueue{Client: w.sqs}
	h.Queue = q
	if _, err := h.Invoke(context.Background(), backfillPayload(w.bucket, "bf/")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.batches, []int{10, 10, 5}) {
		t.Errorf("SendMessageBatch entries per call: %v, want [10 10 5] (25 objects)", q.batches)
	}
}

// TestHandleSQS_AFirstReadTakesTheObjectAsItIsNow: a message to ship an
// object from its first line (a backfill's) reads the object as it is, even
// when it was replaced after the message was sent (ELB never replaces a log
// object: someone re-uploaded it); only a continuation, which must read the
// same bytes as the part before it, requires the ETag it was sent with.
func TestHandleSQS_AFirstReadTakesTheObjectAsItIsNow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 66, 5, "bf/", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	if _, err := h.Invoke(context.Background(), backfillPayload(w.bucket, "bf/")); err != nil {
		t.Fatal(err)
	}
	msgs, conts := w.continuations()
	if len(conts) != 1 || conts[0].StartLine != 1 || conts[0].ETag == "" {
		t.Fatalf("backfill enqueued %+v, want one message from line 1 with the ETag", conts)
	}
	g := loggen.New(loggen.ALB, 67, logStart)
	w.putBytes(o.key, gzipped([]byte(g.Line()+"\n"+g.Line()+"\n"+g.Line()+"\n"+g.Line()+"\n")))
	resp, err := h.HandleSQS(context.Background(), batch(msgs...))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	if got := len(w.rcv.Records()); got != 4 {
		t.Errorf("the receiver got %d records, want the replacement's 4", got)
	}
}
