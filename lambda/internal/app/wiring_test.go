package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// shipped is what one object's trip through the handler New built left behind.
type shipped struct {
	records  []otlptest.Record
	requests int  // export requests received
	remains  bool // the object is still in its bucket
	queued   []string
}

// shipThroughApp puts an ALB log object of lines lines under key prefix in a
// bucket of moto's, builds the handler with New from env (plus the endpoint of
// a loopback OTLP receiver and moto's), hands it the object's S3 notification
// in an SQS batch whose invocation ends after budget (0: no deadline) and
// returns what happened.
func shipThroughApp(t *testing.T, env map[string]string, prefix string, lines int, budget time.Duration) shipped {
	t.Helper()
	srv := mototest.Shared(t)
	srv.Env(t)
	rcv, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	s3c, sqsc := srv.S3(), srv.SQS()
	bucket := srv.Bucket(t, s3c)
	all := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL, "AWS_ENDPOINT_URL": srv.URL}
	for k, v := range env {
		if v == "$QUEUE" {
			v = srv.Queue(t, sqsc, nil)
		}
		all[k] = v
	}
	deps, err := New(context.Background(), Options{Lookup: lookup(all)})
	if err != nil {
		t.Fatal(err)
	}

	g := loggen.New(loggen.ALB, 7, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	key := g.Key(prefix, 1)
	put, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(string(g.Gzip(lines)))})
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":%q,"eventName":"ObjectCreated:Put",`+
		`"s3":{"bucket":{"name":%q},"object":{"key":%q,"eTag":%q}}}]}`, mototest.Region, bucket, key, strings.Trim(aws.ToString(put.ETag), `"`))
	batch, _ := json.Marshal(map[string]any{"Records": []map[string]string{{"messageId": "m1", "eventSource": "aws:sqs", "body": note}}})
	ctx := context.Background()
	if budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	out, err := deps.Handler.Invoke(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(out); strings.Contains(string(b), "m1") {
		t.Fatalf("the message failed: %s", b)
	}

	res := shipped{records: rcv.Records(), requests: rcv.Requests()}
	_, err = s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	res.remains = err == nil
	if q := all["ELB_OTEL_QUEUE_URL"]; q != "" {
		msgs, err := sqsc.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &q, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			res.queued = append(res.queued, aws.ToString(m.Body))
		}
	}
	return res
}

// TestNew_WiresSettingsToTheHandler: each setting New reads reaches what the
// handler does with a real object, end to end: whether the object is deleted,
// the records' resource, the batch limits, the key prefix and the work queue.
// Not parallel: the AWS SDK's default chain reads moto's endpoint from the
// process environment.
func TestNew_WiresSettingsToTheHandler(t *testing.T) {
	tests := map[string]struct {
		env      map[string]string
		prefix   string
		lines    int
		budget   time.Duration
		records  int
		requests int
		remains  bool
		resource map[string]any
		queued   string // a substring of the one message queued, "" for none
	}{
		"defaults keep the object": {
			lines: 5, records: 5, requests: 1, remains: true,
			resource: map[string]any{"service.name": "elb", "deployment.environment": nil},
		},
		"delete on": {
			env:   map[string]string{"ELB_OTEL_DELETE_OBJECTS": "true"},
			lines: 5, records: 5, requests: 1, remains: false,
		},
		"delete off": {
			env:   map[string]string{"ELB_OTEL_DELETE_OBJECTS": "false"},
			lines: 5, records: 5, requests: 1, remains: true,
		},
		"service name and resource attributes": {
			env:   map[string]string{"OTEL_SERVICE_NAME": "edge-logs", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod,team=edge"},
			lines: 3, records: 3, requests: 1, remains: true,
			resource: map[string]any{"service.name": "edge-logs", "deployment.environment": "prod", "team": "edge"},
		},
		"batch records": {
			env:   map[string]string{"ELB_OTEL_BATCH_RECORDS": "2"},
			lines: 5, records: 5, requests: 3, remains: true,
		},
		"batch bytes": {
			// Every line is longer than 100 bytes: one line per request.
			env:   map[string]string{"ELB_OTEL_BATCH_BYTES": "100"},
			lines: 4, records: 4, requests: 4, remains: true,
		},
		"key outside the prefix": {
			env:    map[string]string{"ELB_OTEL_PREFIX": "elb/", "ELB_OTEL_DELETE_OBJECTS": "true"},
			prefix: "other/", lines: 3, records: 0, requests: 0, remains: true,
		},
		"key inside the prefix": {
			env:    map[string]string{"ELB_OTEL_PREFIX": "elb/", "ELB_OTEL_DELETE_OBJECTS": "true"},
			prefix: "elb/", lines: 3, records: 3, requests: 1, remains: false,
		},
		"without a queue a near deadline ships to the end": {
			// 21 s left: the work ends 2.1 s earlier, under the pipeline's
			// 20 s stop margin, so the pipeline stops after its first batch
			// when it has somewhere to continue.
			env:   map[string]string{"ELB_OTEL_BATCH_RECORDS": "2"},
			lines: 5, budget: 21 * time.Second, records: 5, requests: 3, remains: true,
		},
		"with a queue a near deadline continues there": {
			env:   map[string]string{"ELB_OTEL_BATCH_RECORDS": "2", "ELB_OTEL_QUEUE_URL": "$QUEUE", "ELB_OTEL_DELETE_OBJECTS": "true"},
			lines: 5, budget: 21 * time.Second, records: 2, requests: 1, remains: true, queued: `"startLine":3`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := shipThroughApp(t, tc.env, tc.prefix, tc.lines, tc.budget)
			if len(got.records) != tc.records || got.requests != tc.requests {
				t.Errorf("%d records in %d requests, want %d in %d", len(got.records), got.requests, tc.records, tc.requests)
			}
			if got.remains != tc.remains {
				t.Errorf("object still in the bucket: %v, want %v", got.remains, tc.remains)
			}
			for _, r := range got.records {
				for k, want := range tc.resource {
					if v, ok := r.Resource[k]; (want == nil && ok) || (want != nil && v != want) {
						t.Fatalf("resource %s = %v (set: %v), want %v", k, v, ok, want)
					}
				}
			}
			switch {
			case tc.queued == "" && len(got.queued) > 0:
				t.Errorf("queued %q, want nothing", got.queued)
			case tc.queued != "" && (len(got.queued) != 1 || !strings.Contains(got.queued[0], tc.queued)):
				t.Errorf("queued %q, want one message with %s", got.queued, tc.queued)
			}
		})
	}
}
