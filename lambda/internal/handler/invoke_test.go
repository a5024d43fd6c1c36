package handler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// pagedS3 is the real S3 client listing pageSize keys a page (S3 lists up
// to 1000), so a backfill of a few dozen objects pages like one of
// thousands. It counts the list calls.
type pagedS3 struct {
	*s3.Client
	pageSize int32
	lists    atomic.Int32
}

func (p *pagedS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	p.lists.Add(1)
	page := *in
	page.MaxKeys = aws.Int32(p.pageSize)
	return p.Client.ListObjectsV2(ctx, &page, opts...)
}

// backfillObjects puts 25 small log objects of every kind under "bf/", two
// objects there that are not logs, and a log object outside the prefix.
func backfillObjects(w *world) []object {
	kinds := []loggen.Kind{loggen.ALB, loggen.ALBConnection, loggen.NLB, loggen.CLB}
	var objs []object
	for i := range 25 {
		objs = append(objs, w.put(kinds[i%len(kinds)], uint64(100+i), 3, "bf/", "123456789012", []string{"eu-west-1", "us-east-1"}[i%2]))
	}
	w.putBytes("bf/AWSLogs/123456789012/ELBAccessLogTestFile", []byte("Enable AccessLog for ELB\n"))
	w.putBytes("bf/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/README.txt", []byte("notes\n"))
	w.put(loggen.ALB, 999, 3, "other/", "123456789012", "eu-west-1")
	return objs
}

func backfillPayload(bucket, prefix string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"bucket": bucket, "prefix": prefix})
	return b
}

// A backfill with a queue enqueues one message per log object, paging
// through the whole listing; each message ships its object.
func TestInvoke_BackfillEnqueuesOneMessagePerLogObject(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	objs := backfillObjects(w)
	h := w.handler(pipeline.Options{})
	paged := &pagedS3{Client: w.s3, pageSize: 10}
	h.S3 = paged
	ctx := context.Background()

	got, err := h.Invoke(ctx, backfillPayload(w.bucket, "bf/"))
	if err != nil {
		t.Fatal(err)
	}
	want := handler.InvokeResult{Status: "backfill", Backfill: &handler.BackfillResult{Enqueued: 25, Skipped: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Invoke = %s, want %s", show(got), show(want))
	}
	if n := paged.lists.Load(); n < 3 {
		t.Errorf("listed %d pages, want at least 3 (27 keys, 10 a page)", n)
	}
	msgs, conts := w.continuations()
	byKey := map[string]object{}
	for _, o := range objs {
		byKey[o.key] = o
	}
	seen := map[string]int{}
	for _, c := range conts {
		seen[c.Key]++
		o, ok := byKey[c.Key]
		switch {
		case !ok:
			t.Errorf("enqueued %s, which is not a log object under the prefix", c.Key)
		case c.Bucket != w.bucket || c.StartLine != 1 || c.ETag != trimQuotes(o.etag) || c.Size != o.size:
			t.Errorf("enqueued %+v, want bucket %s, start line 1, etag %s, size %d", c, w.bucket, trimQuotes(o.etag), o.size)
		}
	}
	for key := range byKey {
		if seen[key] != 1 {
			t.Errorf("%s enqueued %d times, want once", key, seen[key])
		}
	}

	// Each enqueued message ships its object.
	for chunk := range slices.Chunk(msgs, 10) {
		resp, err := h.HandleSQS(ctx, batch(chunk...))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
		}
	}
	w.checkDelivered(objs...)
}

func TestInvoke_BackfillWithoutQueueShipsInline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	objs := backfillObjects(w)
	h := w.handler(pipeline.Options{})
	h.Queue, h.QueueURL = nil, ""
	h.S3 = &pagedS3{Client: w.s3, pageSize: 10}

	got, err := h.Invoke(context.Background(), backfillPayload(w.bucket, "bf/"))
	if err != nil {
		t.Fatal(err)
	}
	want := handler.InvokeResult{Status: "backfill", Backfill: &handler.BackfillResult{Shipped: 25, Skipped: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Invoke = %s, want %s", show(got), show(want))
	}
	w.checkDelivered(objs...)
	if left := w.drain(w.queueURL); len(left) != 0 {
		t.Errorf("%d messages on the queue, want none", len(left))
	}
}

// An inline backfill ships every object it can and then reports the ones
// that failed.
func TestInvoke_BackfillReportsTheObjectsThatFailed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	good := []object{
		w.put(loggen.ALB, 1, 5, "bf/", "123456789012", "eu-west-1"),
		w.put(loggen.NLB, 2, 5, "bf/", "123456789012", "eu-west-1"),
	}
	w.putBytes("bf/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/corrupt.log.gz", corruptGzip())
	h := w.handler(pipeline.Options{})
	h.Queue, h.QueueURL = nil, ""

	got, err := h.Invoke(context.Background(), backfillPayload(w.bucket, "bf/"))
	if err == nil || !strings.Contains(err.Error(), "1 of 3 objects failed") {
		t.Errorf("Invoke error = %v, want one saying 1 of 3 objects failed", err)
	}
	want := handler.InvokeResult{Status: "backfill", Backfill: &handler.BackfillResult{Shipped: 2, Failed: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Invoke = %s, want %s", show(got), show(want))
	}
	w.checkDelivered(good...)
}

func TestInvoke_BackfillOutsideTheConfiguredPrefixFails(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := w.handler(pipeline.Options{})
	h.Prefix = "elb/"
	_, err := h.Invoke(context.Background(), backfillPayload(w.bucket, "other/"))
	if err == nil || !strings.Contains(err.Error(), `"other/" is outside the configured prefix "elb/"`) {
		t.Errorf("Invoke error = %v, want one naming both prefixes", err)
	}
	if left := w.drain(w.queueURL); len(left) != 0 {
		t.Errorf("%d messages on the queue, want none", len(left))
	}
}

// Invoke takes an SQS batch, a direct S3 notification or EventBridge event,
// or a backfill request, and names those when it gets anything else.
func TestInvoke_Shapes(t *testing.T) {
	t.Parallel()
	const shapes = `want an SQS batch, an S3 notification, an EventBridge "Object Created" event or {"bucket":...,"prefix":...}`
	tests := map[string]struct {
		payload func(w *world, good object) string
		want    any    // the result, when there is no error
		wantErr string // a part of the error
		shipped bool   // the good object's lines arrive
	}{
		"S3 notification": {
			payload: func(w *world, o object) string { return s3Notification(w.bucket, o) },
			want:    handler.InvokeResult{Status: "ok", Objects: 1},
			shipped: true,
		},
		"EventBridge event": {
			payload: func(w *world, o object) string { return eventBridgeEvent(w.bucket, o) },
			want:    handler.InvokeResult{Status: "ok", Objects: 1},
			shipped: true,
		},
		"SQS batch": {
			payload: func(w *world, o object) string {
				return sqsEvent(message("good", eventBridgeEvent(w.bucket, o)), message("bad", `{"hello":"world"}`))
			},
			want:    events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "bad"}}},
			shipped: true,
		},
		"S3 notification of a missing object": {
			payload: func(w *world, o object) string {
				o.key += ".missing.log.gz"
				return s3Notification(w.bucket, o)
			},
			wantErr: "get object",
		},
		"s3:TestEvent": {
			payload: func(w *world, _ object) string {
				return fmt.Sprintf(`{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-25T10:00:00.000Z","Bucket":%q}`, w.bucket)
			},
			want: handler.InvokeResult{Status: "ok"},
		},
		"unknown shape": {
			payload: func(*world, object) string { return `{"hello":"world"}` },
			wantErr: shapes,
		},
		"not an object": {
			payload: func(*world, object) string { return `["bucket","prefix"]` },
			wantErr: shapes,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			good := w.put(loggen.ALB, 1, 40, "", "210987654321", "eu-north-1")
			h := w.handler(pipeline.Options{})
			got, err := h.Invoke(context.Background(), json.RawMessage(tt.payload(w, good)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Invoke error = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Errorf("Invoke error = %v", err)
			} else if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Invoke = %s, want %s", show(got), show(tt.want))
			}
			if tt.shipped {
				w.checkDelivered(good)
			} else if n := len(w.rcv.Records()); n != 0 {
				t.Errorf("receiver got %d records, want none", n)
			}
		})
	}
}

func sqsEvent(msgs ...events.SQSMessage) string {
	b, _ := json.Marshal(batch(msgs...))
	return string(b)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%T %s", v, b)
}

// corruptGzip starts like gzip and is not.
func corruptGzip() []byte {
	return append([]byte{0x1f, 0x8b}, []byte("this is not a deflate stream at all, just text")...)
}

// A backfill that runs out of time enqueues what it listed and hands the rest
// of the listing to a new message (startAfter), which goes on from there:
// every log object is enqueued exactly once, however many invocations it takes.
func TestInvoke_BackfillContinuesBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	objs := backfillObjects(w)
	h := w.handler(pipeline.Options{})
	h.S3 = &pagedS3{Client: w.s3, pageSize: 10}
	h.StartMargin = time.Hour // every check after the first page finds the deadline near
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	got, err := h.Invoke(ctx, backfillPayload(w.bucket, "bf/"))
	if err != nil {
		t.Fatal(err)
	}
	first := got.(handler.InvokeResult).Backfill
	if first.ContinueAfter == "" || first.Enqueued == 0 || first.Enqueued >= len(objs) {
		t.Fatalf("first run = %s, want a part enqueued and a continuation", show(got))
	}
	enqueued := map[string]int{}
	runs := 1
	for pending := w.drain(w.queueURL); len(pending) > 0; {
		var next []events.SQSMessage
		for _, m := range pending {
			n, err := event.Decode([]byte(m.Body))
			if err != nil {
				t.Fatalf("queue message %s: %v", m.Body, err)
			}
			switch n.Kind {
			case event.KindContinuation:
				enqueued[n.Objects[0].Key]++
			case event.KindBackfill:
				if n.Backfill.StartAfter == "" || n.Backfill.Prefix != "bf/" {
					t.Fatalf("backfill continuation %s lacks startAfter or prefix", m.Body)
				}
				runs++
				// Straight to Backfill: through HandleSQS the hour-long start
				// margin would hand the message back before it starts.
				if _, err := h.Backfill(ctx, n.Backfill); err != nil {
					t.Fatalf("Backfill(%+v): %v", n.Backfill, err)
				}
				if runs > 20 {
					t.Fatal("the backfill does not end")
				}
			default:
				t.Fatalf("unexpected message %s", m.Body)
			}
		}
		next = w.drain(w.queueURL)
		pending = next
	}
	if runs < 3 {
		t.Errorf("the backfill took %d runs, want it cut into at least 3 (27 keys, 10 a page)", runs)
	}
	for _, o := range objs {
		if enqueued[o.key] != 1 {
			t.Errorf("%s enqueued %d times, want once", o.key, enqueued[o.key])
		}
	}
	if len(enqueued) != len(objs) {
		t.Errorf("%d keys enqueued, want %d", len(enqueued), len(objs))
	}
}
