package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/app"
	"github.com/elb-otel/elb-otel/lambda/internal/config"
)

func runConsume(ctx context.Context, args []string, stderr io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("consume", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef exporterFlags
	ef.register(fs)
	queueURL := fs.String("queue-url", os.Getenv(contract.EnvQueueURL), "SQS work queue URL (default: $"+contract.EnvQueueURL+")")
	visibility := fs.Duration("visibility-timeout", 15*time.Minute, "how long a received batch is hidden from other workers; the batch's deadline is this less one minute")
	maxMessages := fs.Int("max-messages", 10, "messages per receive (1-10)")
	wait := fs.Duration("wait", 20*time.Second, "long-poll wait per receive (0-20s)")
	retryDelay := fs.Duration("retry-delay", 30*time.Second, "how soon a failed message is visible again")
	drain := fs.Bool("drain", false, "exit once the queue answers empty (for batch jobs and tests)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: elb-otel consume --queue-url URL [flags]\n\n"+
			"Receives S3/EventBridge notifications from the work queue and ships the named log objects,\n"+
			"exactly as the Lambda function does. A message is deleted only when all of its objects\n"+
			"were shipped; a failed one becomes visible again and, after the queue's maxReceiveCount,\n"+
			"moves to the dead-letter queue. Stops on SIGINT/SIGTERM after the batch in hand.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *queueURL == "" {
		fmt.Fprintln(stderr, "elb-otel consume: --queue-url (or $ELB_OTEL_QUEUE_URL) is required")
		return errUsage
	}
	if *maxMessages < 1 || *maxMessages > 10 || *wait < 0 || *wait > 20*time.Second || *visibility < 2*time.Minute {
		fmt.Fprintln(stderr, "elb-otel consume: want --max-messages 1-10, --wait 0-20s and --visibility-timeout of at least 2m")
		return errUsage
	}
	deps, err := app.New(ctx, app.Options{Logger: logger, Exporter: ef.apply, Settings: ef.settings})
	if err != nil {
		return err
	}
	if deps.Settings.Bucket == "" {
		// Without it, whoever may send to the queue picks the bucket read.
		return fmt.Errorf("elb-otel consume: set %s to the log bucket: consume reads (and deletes) objects there only, whatever a message names", config.EnvBucket)
	}
	h := deps.Handler
	h.Queue, h.QueueURL = deps.SQS, *queueURL
	logger.Info("consuming", "queue", *queueURL)
	for ctx.Err() == nil {
		out, err := deps.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    queueURL,
			MaxNumberOfMessages:         int32(*maxMessages),
			WaitTimeSeconds:             int32(wait.Seconds()),
			VisibilityTimeout:           int32(visibility.Seconds()),
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			logger.Error("receive failed; retrying", "error", err.Error())
			sleep(ctx, 5*time.Second)
			continue
		}
		if len(out.Messages) == 0 {
			if *drain {
				return nil
			}
			continue
		}
		// The batch keeps running when a signal arrives; its deadline is
		// the visibility timeout, so no message is worked on twice at once.
		batchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *visibility-time.Minute)
		resp, _ := h.HandleSQS(batchCtx, toSQSEvent(out.Messages, *queueURL))
		cancel()
		if err := settle(context.WithoutCancel(ctx), deps.SQS, *queueURL, out.Messages, resp, *retryDelay); err != nil {
			logger.Error("settling messages failed", "error", err.Error())
		}
	}
	return nil
}

func toSQSEvent(msgs []sqstypes.Message, queueURL string) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		ev.Records[i] = events.SQSMessage{
			MessageId:      aws.ToString(m.MessageId),
			ReceiptHandle:  aws.ToString(m.ReceiptHandle),
			Body:           aws.ToString(m.Body),
			Attributes:     m.Attributes,
			EventSource:    "aws:sqs",
			EventSourceARN: queueURL,
		}
	}
	return ev
}

// settle deletes the messages that succeeded and makes the failed ones
// visible again after retryDelay.
func settle(ctx context.Context, client *sqs.Client, queueURL string, msgs []sqstypes.Message, resp events.SQSEventResponse, retryDelay time.Duration) error {
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var del []sqstypes.DeleteMessageBatchRequestEntry
	var errs []error
	for i, m := range msgs {
		id := aws.ToString(m.MessageId)
		if failed[id] {
			_, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(retryDelay.Seconds()),
			})
			if err != nil {
				errs = append(errs, err)
			}
			continue
		}
		del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
	}
	if len(del) > 0 {
		out, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: del})
		if err != nil {
			errs = append(errs, err)
		} else if len(out.Failed) > 0 {
			errs = append(errs, fmt.Errorf("%d deletes failed: %s", len(out.Failed), aws.ToString(out.Failed[0].Message)))
		}
	}
	return errors.Join(errs...)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
