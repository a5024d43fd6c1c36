package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
)

// Backfill ships every log object under b.Prefix in b.Bucket, paging through
// the whole listing. With a queue it enqueues one message per object (so each
// gets its own retries and deadline); without, it ships them inline.
func (h *Handler) Backfill(ctx context.Context, b event.Backfill) (BackfillResult, error) {
	var res BackfillResult
	if err := h.checkBucket(b.Bucket); err != nil {
		return res, fmt.Errorf("backfill: %w", err)
	}
	if h.Prefix != "" && !strings.HasPrefix(b.Prefix, h.Prefix) && !h.isMetricKey(b.Prefix) {
		return res, fmt.Errorf("backfill prefix %q is outside the configured prefix %q (the function may only read there)", b.Prefix, h.Prefix)
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(b.Prefix)}
	if b.StartAfter != "" {
		in.StartAfter = aws.String(b.StartAfter)
	}
	p := s3.NewListObjectsV2Paginator(h.S3, in)
	margin := h.startMargin(ctx)
	l := &listing{b: b}
	for p.HasMorePages() {
		if l.lastKey != "" && h.canContinue() && tooLate(ctx, margin) {
			err := h.continueBackfill(ctx, l, &res)
			return res, err
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("backfill: list s3://%s/%s: %w", b.Bucket, b.Prefix, err)
		}
		if err := h.backfillPage(ctx, l, page.Contents, &res); err != nil {
			return res, err
		}
	}
	if err := h.flush(ctx, l, &res); err != nil {
		return res, err
	}
	h.logger().Info("backfill done", "bucket", b.Bucket, "prefix", b.Prefix, "enqueued", res.Enqueued,
		"shipped", res.Shipped, "failed", res.Failed, "skipped", res.Skipped)
	if res.Failed > 0 {
		return res, fmt.Errorf("backfill: %d of %d objects failed", res.Failed, res.Failed+res.Shipped)
	}
	return res, nil
}

// listing is the state of one backfill's listing.
type listing struct {
	b       event.Backfill
	pending []event.Object // listed, not yet enqueued
	lastKey string         // the last key listed
}

// backfillPage ships (without a queue) or enqueues (in tens) the log objects
// of one listed page.
func (h *Handler) backfillPage(ctx context.Context, l *listing, objs []s3types.Object, res *BackfillResult) error {
	for _, o := range objs {
		key := aws.ToString(o.Key)
		l.lastKey = key
		if !event.IsLogKey(key) && !h.isMetricKey(key) {
			res.Skipped++
			continue
		}
		obj := event.Object{Bucket: l.b.Bucket, Key: key, ETag: strings.Trim(aws.ToString(o.ETag), `"`), Size: aws.ToInt64(o.Size)}
		if h.Queue == nil {
			if err := h.handleObject(ctx, obj); err != nil {
				res.Failed++
				h.logger().Error("backfill object failed", "key", key, "error", err.Error())
				continue
			}
			res.Shipped++
			continue
		}
		l.pending = append(l.pending, obj)
		if len(l.pending) == 10 {
			if err := h.flush(ctx, l, res); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush enqueues the pending objects.
func (h *Handler) flush(ctx context.Context, l *listing, res *BackfillResult) error {
	if len(l.pending) == 0 {
		return nil
	}
	if err := h.enqueue(ctx, l.pending); err != nil {
		return err
	}
	res.Enqueued += len(l.pending)
	l.pending = l.pending[:0]
	return nil
}

// continueBackfill is called when the deadline is near: it enqueues what is
// listed, then hands the rest of the listing to a new message, so a huge
// prefix never outlives the invocation (and never restarts from the top).
func (h *Handler) continueBackfill(ctx context.Context, l *listing, res *BackfillResult) error {
	if err := h.flush(ctx, l, res); err != nil {
		return err
	}
	next := event.Backfill{Bucket: l.b.Bucket, Prefix: l.b.Prefix, StartAfter: l.lastKey}
	body, _ := json.Marshal(next)
	if err := h.send(ctx, string(body)); err != nil {
		return fmt.Errorf("backfill: continue after %q: %w", l.lastKey, err)
	}
	res.ContinueAfter = l.lastKey
	h.logger().Info("backfill: deadline near, continues in a new message", "bucket", l.b.Bucket, "prefix", l.b.Prefix,
		"startAfter", l.lastKey, "enqueued", res.Enqueued, "skipped", res.Skipped)
	return nil
}

// BackfillResult counts a backfill's objects.
type BackfillResult struct {
	Enqueued int `json:"enqueued"`
	Shipped  int `json:"shipped"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	// ContinueAfter is set when the deadline came first: the listing goes on
	// after this key in a new message.
	ContinueAfter string `json:"continueAfter,omitempty"`
}

// enqueue sends one S3-notification-shaped message per object.
func (h *Handler) enqueue(ctx context.Context, objs []event.Object) error {
	entries := make([]sqstypes.SendMessageBatchRequestEntry, len(objs))
	for i, o := range objs {
		body, _ := json.Marshal(event.Continuation{Object: event.Object{Bucket: o.Bucket, Key: o.Key, ETag: o.ETag, Size: o.Size, StartLine: 1}})
		entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(string(body))}
	}
	out, err := h.Queue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(h.QueueURL), Entries: entries})
	if err != nil {
		return fmt.Errorf("backfill: enqueue: %w", err)
	}
	if len(out.Failed) > 0 {
		f := out.Failed[0]
		return fmt.Errorf("backfill: enqueue: %d messages refused, first: %s %s", len(out.Failed), aws.ToString(f.Code), aws.ToString(f.Message))
	}
	return nil
}
