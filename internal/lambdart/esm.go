package lambdart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SQS client an EventSourceMapping uses.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// EventSourceMapping plays Lambda's SQS event source mapping for one
// function: receive a batch, invoke with an events.SQSEvent, delete what
// succeeded.
//
// As in Lambda: a function error fails the whole batch; with
// ReportBatchItemFailures the messages listed in the response's
// batchItemFailures stay on the queue and the others are deleted, and a
// response naming a message that is not in the batch fails the whole batch.
// Messages left on the queue come back when their visibility timeout ends,
// and move to the dead-letter queue after the queue's maxReceiveCount.
type EventSourceMapping struct {
	SQS      SQSAPI
	QueueURL string
	QueueARN string
	Region   string
	// BatchSize is the most messages per invocation (1-10). Default: 10.
	BatchSize int
	// ReportBatchItemFailures reads the response as events.SQSEventResponse.
	ReportBatchItemFailures bool
	// WaitTime is the long-poll wait of each receive. Default: 0 (answer at
	// once, so Drain ends as soon as the queue is empty).
	WaitTime time.Duration
	// RetryDelay, when set, makes failed messages visible again after it,
	// rather than at the end of the queue's visibility timeout (Lambda's
	// behaviour, with the 30 minutes this queue has): a shortcut for tests
	// that drive a message to the dead-letter queue.
	RetryDelay *time.Duration
}

// Batch is the outcome of one receive and invocation.
type Batch struct {
	Messages []sqstypes.Message
	Event    events.SQSEvent
	Result   Result
	Response events.SQSEventResponse
	// Failed are the IDs of the messages left on the queue.
	Failed  []string
	Deleted int
}

// Totals count the batches of a Drain.
type Totals struct {
	Batches        int
	Messages       int
	Deleted        int
	Failed         int
	FunctionErrors int
}

// Drain polls until a receive comes back empty, invoking the function once
// per batch, and returns the totals. onBatch, if not nil, sees each batch.
func (e *EventSourceMapping) Drain(ctx context.Context, rt *Runtime, onBatch func(Batch)) (Totals, error) {
	var t Totals
	for {
		b, err := e.Poll(ctx, rt)
		if err != nil {
			return t, err
		}
		if len(b.Messages) == 0 {
			return t, nil
		}
		t.Batches++
		t.Messages += len(b.Messages)
		t.Deleted += b.Deleted
		t.Failed += len(b.Failed)
		if b.Result.Error != nil {
			t.FunctionErrors++
		}
		if onBatch != nil {
			onBatch(b)
		}
	}
}

// Poll receives one batch and, if it is not empty, invokes the function with
// it and settles the messages.
func (e *EventSourceMapping) Poll(ctx context.Context, rt *Runtime) (Batch, error) {
	size := e.BatchSize
	if size <= 0 || size > 10 {
		size = 10
	}
	out, err := e.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(e.QueueURL),
		MaxNumberOfMessages:         int32(size),
		WaitTimeSeconds:             int32(e.WaitTime.Seconds()),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return Batch{}, fmt.Errorf("lambdart: receive from %s: %w", e.QueueURL, err)
	}
	b := Batch{Messages: out.Messages}
	if len(out.Messages) == 0 {
		return b, nil
	}
	b.Event = e.event(out.Messages)
	b.Result, err = rt.InvokeJSON(ctx, b.Event, nil)
	if err != nil {
		return b, err
	}
	return b, e.settle(ctx, &b, e.failed(&b))
}

// failed returns the IDs of the messages of b that Lambda would retry, from the
// function's result (b.Response is set from it when the mapping reports batch
// item failures).
func (e *EventSourceMapping) failed(b *Batch) map[string]bool {
	failed := map[string]bool{}
	all := func() {
		for _, m := range b.Messages {
			failed[aws.ToString(m.MessageId)] = true
		}
	}
	switch {
	case b.Result.Error != nil:
		// A function error: the whole batch is retried.
		all()
	case e.ReportBatchItemFailures:
		if err := json.Unmarshal(b.Result.Payload, &b.Response); err != nil && len(b.Result.Payload) > 0 && string(b.Result.Payload) != "null" {
			// An unreadable response counts as success in Lambda only when it
			// is empty or null; otherwise the batch fails.
			all()
			break
		}
		inBatch := map[string]bool{}
		for _, m := range b.Messages {
			inBatch[aws.ToString(m.MessageId)] = true
		}
		for _, f := range b.Response.BatchItemFailures {
			if !inBatch[f.ItemIdentifier] {
				// Lambda fails the whole batch on an unknown or empty ID.
				all()
				break
			}
			failed[f.ItemIdentifier] = true
		}
	}
	return failed
}

// settle deletes the messages of b that succeeded and, with a RetryDelay, makes
// the failed ones visible again after it; it records both in b.
func (e *EventSourceMapping) settle(ctx context.Context, b *Batch, failed map[string]bool) error {
	var del []sqstypes.DeleteMessageBatchRequestEntry
	var errs []error
	for i, m := range b.Messages {
		id := aws.ToString(m.MessageId)
		if failed[id] {
			b.Failed = append(b.Failed, id)
			if e.RetryDelay != nil {
				_, err := e.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(e.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(e.RetryDelay.Seconds()),
				})
				if err != nil {
					errs = append(errs, fmt.Errorf("lambdart: make message %s visible again: %w", id, err))
				}
			}
			continue
		}
		del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
	}
	if len(del) > 0 {
		res, err := e.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(e.QueueURL), Entries: del})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("lambdart: delete %d messages: %w", len(del), err))
		case len(res.Failed) > 0:
			errs = append(errs, fmt.Errorf("lambdart: %d of %d deletes failed, first: %s", len(res.Failed), len(del), aws.ToString(res.Failed[0].Message)))
			b.Deleted = len(res.Successful)
		default:
			b.Deleted = len(res.Successful)
		}
	}
	return errors.Join(errs...)
}

// event builds the events.SQSEvent Lambda sends for msgs.
func (e *EventSourceMapping) event(msgs []sqstypes.Message) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		rec := events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             m.Attributes,
			MessageAttributes:      map[string]events.SQSMessageAttribute{},
			EventSourceARN:         e.QueueARN,
			EventSource:            "aws:sqs",
			AWSRegion:              e.Region,
		}
		for k, a := range m.MessageAttributes {
			rec.MessageAttributes[k] = events.SQSMessageAttribute{
				StringValue: a.StringValue, BinaryValue: a.BinaryValue, DataType: aws.ToString(a.DataType),
			}
		}
		ev.Records[i] = rec
	}
	return ev
}
