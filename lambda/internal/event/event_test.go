package event_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	alb := event.Object{Bucket: "logs", Key: "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/a b.log.gz", ETag: "abc", Size: 42}
	tests := map[string]struct {
		body    string
		want    event.Notification
		wantErr string
	}{
		"S3 notification, key URL-encoded": {
			body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"logs"},"object":{"key":"AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/a+b.log.gz","size":42,"eTag":"abc"}}}]}`,
			want: event.Notification{Kind: event.KindObjects, Objects: []event.Object{alb}},
		},
		"S3 notification with two records": {
			body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k1.log"}}},{"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"k2.log"}}}]}`,
			want: event.Notification{Kind: event.KindObjects, Objects: []event.Object{{Bucket: "b", Key: "k1.log"}, {Bucket: "b", Key: "k2.log"}}},
		},
		"S3 delete events are not objects to ship": {
			body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k1.log"}}}]}`,
			want: event.Notification{Kind: event.KindObjects},
		},
		"s3:TestEvent": {
			body: `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-25T10:00:00Z","Bucket":"logs"}`,
			want: event.Notification{Kind: event.KindTestEvent},
		},
		"EventBridge Object Created": {
			body: `{"version":"0","source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"logs"},"object":{"key":"AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/a b.log.gz","size":42,"etag":"abc"}}}`,
			want: event.Notification{Kind: event.KindObjects, Objects: []event.Object{alb}},
		},
		"SNS-wrapped S3 notification": {
			body: `{"Type":"Notification","Message":"{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k.log.gz\"}}}]}"}`,
			want: event.Notification{Kind: event.KindObjects, Objects: []event.Object{{Bucket: "b", Key: "k.log.gz"}}},
		},
		"continuation": {
			body: `{"elbOtelContinuation":{"bucket":"b","key":"k.log.gz","etag":"e","startLine":1001}}`,
			want: event.Notification{Kind: event.KindContinuation, Objects: []event.Object{{Bucket: "b", Key: "k.log.gz", ETag: "e", StartLine: 1001}}},
		},
		"backfill": {
			body: `{"bucket":"logs","prefix":"AWSLogs/123456789012/"}`,
			want: event.Notification{Kind: event.KindBackfill, Backfill: event.Backfill{Bucket: "logs", Prefix: "AWSLogs/123456789012/"}},
		},
		"backfill continuation": {
			body: `{"bucket":"logs","prefix":"AWSLogs/","startAfter":"AWSLogs/1/x.log.gz"}`,
			want: event.Notification{Kind: event.KindBackfill, Backfill: event.Backfill{Bucket: "logs", Prefix: "AWSLogs/", StartAfter: "AWSLogs/1/x.log.gz"}},
		},
		"EventBridge other detail-type": {
			body:    `{"source":"aws.s3","detail-type":"Object Deleted","detail":{"bucket":{"name":"b"},"object":{"key":"k"}}}`,
			wantErr: `unknown event shape: EventBridge detail-type "Object Deleted", want "Object Created"`,
		},
		"not JSON": {
			body:    `hello`,
			wantErr: "unknown event shape: not a JSON object: hello",
		},
		"unknown object": {
			body:    `{"foo":1}`,
			wantErr: `unknown event shape: {"foo":1}`,
		},
		"record from another service": {
			body:    `{"Records":[{"eventSource":"aws:sns"}]}`,
			wantErr: `unknown event shape: record 0 has eventSource "aws:sns", want "aws:s3"`,
		},
		"continuation without line": {
			body:    `{"elbOtelContinuation":{"bucket":"b","key":"k"}}`,
			wantErr: `unknown event shape: continuation needs bucket, key and startLine >= 1: {"elbOtelContinuation":{"bucket":"b","key":"k"}}`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := event.Decode([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || !errors.Is(err, event.ErrUnknownShape) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestIsLogKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"AWSLogs/1/elasticloadbalancing/eu-west-1/2026/11/25/x.log.gz": true,
		"AWSLogs/1/elasticloadbalancing/eu-west-1/2026/11/25/x.log":    true,
		"AWSLogs/1/ELBAccessLogTestFile":                               false,
		"AWSLogs/1/elasticloadbalancing/x.txt":                         false,
	} {
		if got := event.IsLogKey(key); got != want {
			t.Errorf("IsLogKey(%q) = %v, want %v", key, got, want)
		}
	}
}
