package handler_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// These tests run the handler against real parts: moto_server as S3 and SQS
// (through the real aws-sdk-go-v2 clients), the real pipeline and OTLP
// exporter, and the loopback OTLP receiver, which decodes with
// OpenTelemetry's own protobuf types.

func TestMain(m *testing.M) { mototest.Main(m) }

var logStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// world is one test's own bucket, work queue and OTLP receiver on the
// shared moto server.
type world struct {
	t        *testing.T
	s3       *s3.Client
	sqs      *sqs.Client
	bucket   string
	queueURL string
	rcv      *otlptest.Receiver
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := mototest.Shared(t)
	w := &world{t: t, s3: srv.S3(), sqs: srv.SQS()}
	w.bucket = srv.Bucket(t, w.s3)
	w.queueURL = srv.Queue(t, w.sqs, nil)
	rcv, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	w.rcv = rcv
	return w
}

// handler returns a handler shipping to the world's receiver, continuing on
// its queue. Retries are quick; everything else is the default unless opts
// say otherwise.
func (w *world) handler(opts pipeline.Options) *handler.Handler {
	w.t.Helper()
	return w.handlerTo(w.rcv.URL+"/v1/logs", opts)
}

// handlerTo is handler with another OTLP logs endpoint.
func (w *world) handlerTo(endpoint string, opts pipeline.Options) *handler.Handler {
	w.t.Helper()
	exp, err := otlpexport.New(otlpexport.Config{
		Endpoint: endpoint,
		Timeout:  5 * time.Second,
		Retry:    otlpexport.RetryConfig{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond, MaxElapsed: time.Minute},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return &handler.Handler{
		S3:       w.s3,
		Shipper:  pipeline.NewShipper(exp, opts),
		Queue:    w.sqs,
		QueueURL: w.queueURL,
	}
}

// object is a log object put in the world's bucket.
type object struct {
	key     string
	lines   []string
	etag    string // as S3 returns it, quoted
	size    int64
	account string
	region  string
}

// put generates n lines of kind and puts them under a key for account and
// region (gzipped, unless the kind is CLB, whose logs are plain text).
func (w *world) put(kind loggen.Kind, seed uint64, n int, prefix, account, region string) object {
	w.t.Helper()
	g := loggen.New(kind, seed, logStart)
	key := strings.NewReplacer("123456789012", account, "eu-west-1", region).Replace(g.Key(prefix, int(seed)))
	o := object{key: key, account: account, region: region}
	var plain bytes.Buffer
	for range n {
		line := g.Line()
		o.lines = append(o.lines, line)
		plain.WriteString(line + "\n")
	}
	data := plain.Bytes()
	if strings.HasSuffix(key, ".gz") {
		data = gzipped(data)
	}
	o.etag = w.putBytes(key, data)
	o.size = int64(len(data))
	return o
}

func (w *world) putBytes(key string, data []byte) string {
	w.t.Helper()
	out, err := w.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &w.bucket, Key: &key, Body: bytes.NewReader(data)})
	if err != nil {
		w.t.Fatalf("put s3://%s/%s: %v", w.bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

func (w *world) get(key string) []byte {
	w.t.Helper()
	out, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &w.bucket, Key: &key})
	if err != nil {
		w.t.Fatalf("get s3://%s/%s: %v", w.bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		w.t.Fatalf("read s3://%s/%s: %v", w.bucket, key, err)
	}
	return b
}

func (w *world) exists(key string) bool {
	w.t.Helper()
	_, err := w.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &w.bucket, Key: &key})
	if err == nil {
		return true
	}
	if strings.Contains(err.Error(), "NotFound") || strings.Contains(err.Error(), "404") {
		return false
	}
	w.t.Fatalf("head s3://%s/%s: %v", w.bucket, key, err)
	return false
}

// drain receives and deletes every message on queueURL, in order of receipt.
func (w *world) drain(queueURL string) []events.SQSMessage {
	w.t.Helper()
	ctx := context.Background()
	var msgs []events.SQSMessage
	for {
		out, err := w.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
		if err != nil {
			w.t.Fatalf("receive from %s: %v", queueURL, err)
		}
		if len(out.Messages) == 0 {
			return msgs
		}
		for _, m := range out.Messages {
			msgs = append(msgs, events.SQSMessage{
				MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
				EventSource: "aws:sqs", EventSourceARN: queueURL, AWSRegion: mototest.Region,
			})
			if _, err := w.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				w.t.Fatalf("delete from %s: %v", queueURL, err)
			}
		}
	}
}

// continuations drains the work queue and decodes each message, which must
// be a continuation.
func (w *world) continuations() ([]events.SQSMessage, []event.Object) {
	w.t.Helper()
	msgs := w.drain(w.queueURL)
	objs := make([]event.Object, len(msgs))
	for i, m := range msgs {
		n, err := event.Decode([]byte(m.Body))
		if err != nil {
			w.t.Fatalf("queue message %s: %v", m.Body, err)
		}
		if n.Kind != event.KindContinuation || len(n.Objects) != 1 {
			w.t.Fatalf("queue message %s: kind %v with %d objects, want one continuation", m.Body, n.Kind, len(n.Objects))
		}
		objs[i] = n.Objects[0]
	}
	return msgs, objs
}

// checkDelivered checks that the receiver holds every line of objs exactly
// once, under its object's resource, with a log.record.uid of its own, and
// nothing else.
func (w *world) checkDelivered(objs ...object) {
	w.t.Helper()
	checkRecords(w.t, w.rcv.Records(), w.bucket, objs...)
}

func checkRecords(t *testing.T, recs []otlptest.Record, bucket string, objs ...object) {
	t.Helper()
	want := make([]otlptest.Expected, len(objs))
	for i, o := range objs {
		want[i] = otlptest.Expected{Name: o.key, Lines: o.lines, Resource: map[string]any{
			"cloud.account.id": o.account, "cloud.region": o.region, "aws.s3.bucket": bucket, "aws.s3.key": o.key,
		}}
	}
	for _, p := range otlptest.CheckExactlyOnce(recs, want...) {
		t.Error(p)
	}
}

// failures returns the IDs of the failed messages.
func failures(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func message(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs", AWSRegion: mototest.Region}
}

func batch(msgs ...events.SQSMessage) events.SQSEvent { return events.SQSEvent{Records: msgs} }

// s3Notification is the body of an S3 event notification, as S3 sends it
// (the key URL-encoded, the ETag unquoted).
func s3Notification(bucket string, o object) string {
	return fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2026-11-25T10:05:01.000Z",`+
		`"eventName":"ObjectCreated:Put","userIdentity":{"principalId":"AWS:AROAEXAMPLE:elasticloadbalancing"},"requestParameters":{"sourceIPAddress":"10.0.0.1"},`+
		`"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8="},"s3":{"s3SchemaVersion":"1.0","configurationId":"elb-logs",`+
		`"bucket":{"name":%q,"ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::%s"},`+
		`"object":{"key":%q,"size":%d,"eTag":%q,"sequencer":"0055AED6DCD90281E5"}}}]}`,
		bucket, bucket, url.QueryEscape(o.key), o.size, strings.Trim(o.etag, `"`))
}

// eventBridgeEvent is an EventBridge "Object Created" event, as S3 sends it.
func eventBridgeEvent(bucket string, o object) string {
	return fmt.Sprintf(`{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3",`+
		`"account":"123456789012","time":"2026-11-25T10:05:01Z","region":"eu-west-1","resources":["arn:aws:s3:::%s"],`+
		`"detail":{"version":"0","bucket":{"name":%q},"object":{"key":%q,"size":%d,"etag":%q,"sequencer":"617f08299329d189"},`+
		`"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"10.0.0.1","reason":"PutObject"}}`,
		bucket, bucket, o.key, o.size, strings.Trim(o.etag, `"`))
}

// snsWrapped wraps body in an SNS notification, as SNS delivers it to an SQS
// subscription without raw message delivery.
func snsWrapped(body string) string {
	msg, _ := json.Marshal(body)
	return fmt.Sprintf(`{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:eu-west-1:123456789012:elb-logs",`+
		`"Subject":"Amazon S3 Notification","Message":%s,"Timestamp":"2026-11-25T10:05:01.000Z","SignatureVersion":"1",`+
		`"Signature":"EXAMPLE","SigningCertURL":"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",`+
		`"UnsubscribeURL":"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe"}`, msg)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b) //nolint:errcheck // writes to memory
	zw.Close()  //nolint:errcheck
	return buf.Bytes()
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
