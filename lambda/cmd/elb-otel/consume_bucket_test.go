package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// Anyone who may send to the queue could name any bucket the worker's
// credentials reach: consume reads (and, with deletion on, deletes) objects
// of the configured log bucket only, and fails the message of any other.
func TestConsume_RefusesObjectsOfOtherBuckets(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	sqsClient := srv.SQS()
	queueURL := srv.Queue(t, sqsClient, nil)
	s3Client, logs := notifyingBucket(t, srv, queueURL)
	_, other := notifyingBucket(t, srv, queueURL)
	t.Setenv("ELB_OTEL_BUCKET", logs)
	t.Setenv("ELB_OTEL_DELETE_OBJECTS", "true")
	mine := putObject(t, s3Client, logs, generate(loggen.ALB, 11, 30, ""))
	theirs := putObject(t, s3Client, other, generate(loggen.ALB, 12, 30, ""))

	rcv := receiver(t)
	_, _, stderr := cli(t, "consume", "--queue-url", queueURL, "--endpoint", rcv.URL, "--drain", "--wait", "0")
	checkDelivered(t, rcv.Records(), mine)
	if _, err := s3Client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(other), Key: aws.String(theirs.key)}); err != nil {
		t.Errorf("the other bucket's object is gone: %v", err)
	}
	if !strings.Contains(stderr, "message failed") || !strings.Contains(stderr, other) || !strings.Contains(stderr, "ELB_OTEL_BUCKET") {
		t.Errorf("consume does not fail the other bucket's message naming it and ELB_OTEL_BUCKET:\n%s", stderr)
	}

	// Without a configured bucket, consume does not start.
	t.Setenv("ELB_OTEL_BUCKET", "")
	code, _, stderr := cli(t, "consume", "--queue-url", queueURL, "--endpoint", rcv.URL, "--drain", "--wait", "0")
	if code == 0 || !strings.Contains(stderr, "ELB_OTEL_BUCKET") {
		t.Errorf("consume without ELB_OTEL_BUCKET: exit code %d, want non-zero naming the variable:\n%s", code, stderr)
	}
}
