package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// notifyingBucket makes a bucket whose object-created notifications moto's
// S3 sends to the queue (moto first sends an s3:TestEvent).
func notifyingBucket(t *testing.T, srv *mototest.Server, queueURL string) (*s3.Client, string) {
	t.Helper()
	ctx := context.Background()
	client := srv.S3()
	bucket := srv.Bucket(t, client)
	_, err := client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: &bucket,
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(queueARN(t, srv.SQS(), queueURL)),
			Events:   []s3types.Event{s3types.EventS3ObjectCreated},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, bucket
}

func queueARN(t *testing.T, client *sqs.Client, url string) string {
	t.Helper()
	out, err := client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// depth returns the queue's visible and in-flight message counts.
func depth(t *testing.T, client *sqs.Client, url string) (visible, inFlight int) {
	t.Helper()
	out, err := client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	visible, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible, inFlight
}

// consume --drain ships the objects moto's S3 notifications name, and
// deletes their messages.
func TestConsume_ShipsAndDeletesNotifiedObjects(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	sqsClient := srv.SQS()
	queueURL := srv.Queue(t, sqsClient, nil)
	s3Client, bucket := notifyingBucket(t, srv, queueURL)
	t.Setenv("ELB_OTEL_BUCKET", bucket)
	files := []logFile{
		putObject(t, s3Client, bucket, generate(loggen.ALB, 1, 120, "")),
		putObject(t, s3Client, bucket, generate(loggen.NLB, 2, 30, "")),
	}
	putObject(t, s3Client, bucket, logFile{key: "AWSLogs/123456789012/ELBAccessLogTestFile", data: []byte("Enable AccessLog\n")})

	rcv := receiver(t)
	code, _, stderr := cli(t, "consume", "--queue-url", queueURL, "--endpoint", rcv.URL, "--drain", "--wait", "0")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	checkDelivered(t, rcv.Records(), files...)
	if visible, inFlight := depth(t, sqsClient, queueURL); visible != 0 || inFlight != 0 {
		t.Errorf("queue holds %d visible and %d in-flight messages, want none (all deleted)", visible, inFlight)
	}
}

// The message of a corrupt object is not deleted: SQS makes it visible
// again after --retry-delay, and after maxReceiveCount receives moves it to
// the dead-letter queue. The good object's message is deleted, and its lines
// shipped once.
func TestConsume_KeepsTheMessageOfACorruptObject(t *testing.T) {
	tests := map[string]struct {
		retryDelay string
		dlq        bool
	}{
		"visible again after the retry delay": {retryDelay: "10m"},
		"redriven to the dead-letter queue":   {retryDelay: "0s", dlq: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := mototest.Shared(t)
			srv.Env(t)
			sqsClient := srv.SQS()
			var attrs map[string]string
			var dlqURL string
			if tt.dlq {
				dlqURL = srv.Queue(t, sqsClient, nil)
				policy, _ := json.Marshal(map[string]string{"deadLetterTargetArn": queueARN(t, sqsClient, dlqURL), "maxReceiveCount": "2"})
				attrs = map[string]string{string(sqstypes.QueueAttributeNameRedrivePolicy): string(policy)}
			}
			queueURL := srv.Queue(t, sqsClient, attrs)
			s3Client, bucket := notifyingBucket(t, srv, queueURL)
			t.Setenv("ELB_OTEL_BUCKET", bucket)
			good := putObject(t, s3Client, bucket, generate(loggen.ALB, 1, 60, ""))
			corrupt := putObject(t, s3Client, bucket, logFile{
				key:  "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/corrupt.log.gz",
				data: append([]byte{0x1f, 0x8b}, "not a deflate stream"...),
			})

			rcv := receiver(t)
			code, _, stderr := cli(t, "consume", "--queue-url", queueURL, "--endpoint", rcv.URL, "--drain", "--wait", "0", "--retry-delay", tt.retryDelay)
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			checkDelivered(t, rcv.Records(), good)

			visible, inFlight := depth(t, sqsClient, queueURL)
			if !tt.dlq {
				if visible != 0 || inFlight != 1 {
					t.Errorf("queue holds %d visible and %d in-flight messages, want the corrupt object's in flight", visible, inFlight)
				}
				if n := strings.Count(stderr, "message failed"); n != 1 {
					t.Errorf("%d messages failed, want 1; stderr:\n%s", n, stderr)
				}
				return
			}
			if visible != 0 || inFlight != 0 {
				t.Errorf("queue holds %d visible and %d in-flight messages, want none", visible, inFlight)
			}
			if n := strings.Count(stderr, "message failed"); n != 2 {
				t.Errorf("the corrupt object's message failed %d times, want 2 (maxReceiveCount); stderr:\n%s", n, stderr)
			}
			out, err := sqsClient.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &dlqURL, MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) != 1 {
				t.Fatalf("the dead-letter queue holds %d messages, want 1", len(out.Messages))
			}
			n, err := event.Decode([]byte(aws.ToString(out.Messages[0].Body)))
			if err != nil || len(n.Objects) != 1 || n.Objects[0].Key != corrupt.key {
				t.Errorf("the dead-letter message names %+v (%v), want %s", n.Objects, err, corrupt.key)
			}
		})
	}
}
