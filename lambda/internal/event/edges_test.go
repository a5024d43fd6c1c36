package event_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
)

// TestDecode_Edges: the bodies at the edges of each shape: the smallest valid
// continuation, the parts each shape cannot do without, nesting, and how much
// of a bad body an error quotes.
func TestDecode_Edges(t *testing.T) {
	t.Parallel()
	pad := func(n int) string { // a JSON object of exactly n bytes that is no known shape
		return `{"x":"` + strings.Repeat("a", n-8) + `"}`
	}
	tests := map[string]struct {
		body    string
		want    *event.Notification
		wantErr string
	}{
		"continuation at line 1": {
			body: `{"elbOtelContinuation":{"bucket":"b","key":"k.log","startLine":1}}`,
			want: &event.Notification{Kind: event.KindContinuation, Objects: []event.Object{{Bucket: "b", Key: "k.log", StartLine: 1}}},
		},
		"continuation at line 0": {
			body:    `{"elbOtelContinuation":{"bucket":"b","key":"k.log","startLine":0}}`,
			wantErr: "continuation needs bucket, key and startLine >= 1",
		},
		"continuation without bucket": {
			body:    `{"elbOtelContinuation":{"key":"k.log","startLine":5}}`,
			wantErr: "continuation needs bucket, key and startLine >= 1",
		},
		"continuation without key": {
			body:    `{"elbOtelContinuation":{"bucket":"b","startLine":5}}`,
			wantErr: "continuation needs bucket, key and startLine >= 1",
		},
		"blanks around the body": {
			body: " \n\t{\"bucket\":\"logs\"}\n ",
			want: &event.Notification{Kind: event.KindBackfill, Backfill: event.Backfill{Bucket: "logs"}},
		},
		"empty body":   {body: "", wantErr: "unknown event shape: not a JSON object: "},
		"JSON array":   {body: `[{"bucket":"logs"}]`, wantErr: `not a JSON object: [{"bucket":"logs"}]`},
		"bad JSON":     {body: `{"bucket":`, wantErr: `unknown event shape: unexpected end of JSON input: {"bucket":`},
		"no records":   {body: `{"Records":[]}`, wantErr: `unknown event shape: {"Records":[]}`},
		"SNS in SNS":   {body: `{"Type":"Notification","Message":"{\"Type\":\"Notification\",\"Message\":\"{\\\"bucket\\\":\\\"logs\\\"}\"}"}`, wantErr: "SNS message nested in an SNS message"},
		"SNS backfill": {body: `{"Type":"Notification","Message":"{\"bucket\":\"logs\"}"}`, want: &event.Notification{Kind: event.KindBackfill, Backfill: event.Backfill{Bucket: "logs"}}},
		"SNS without a message": {
			body:    `{"Type":"Notification","Message":""}`,
			wantErr: `unknown event shape: {"Type":"Notification","Message":""}`,
		},
		"backfill with an empty bucket": {body: `{"bucket":"","prefix":"AWSLogs/"}`, wantErr: "backfill request needs a bucket"},
		"EventBridge without key": {
			body:    `{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":""}}}`,
			wantErr: "EventBridge event without bucket name or object key",
		},
		"EventBridge without bucket": {
			body:    `{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":""},"object":{"key":"k.log"}}}`,
			wantErr: "EventBridge event without bucket name or object key",
		},
		"EventBridge from another source": {
			body:    `{"source":"aws.ec2","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"k.log"}}}`,
			wantErr: "unknown event shape: {",
		},
		"EventBridge version id": {
			body: `{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"k.log","version-id":"v2"}}}`,
			want: &event.Notification{Kind: event.KindObjects, Objects: []event.Object{{Bucket: "b", Key: "k.log", VersionID: "v2"}}},
		},
		"S3 record without bucket": {
			body:    `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":""},"object":{"key":"k.log"}}}]}`,
			wantErr: "record 0 without bucket name or object key",
		},
		"S3 record without key": {
			body:    `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":""}}}]}`,
			wantErr: "record 0 without bucket name or object key",
		},
		"S3 second record bad": {
			body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k.log"}}},` +
				`{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}`,
			wantErr: `record 1: bad key encoding "%zz"`,
		},
		"S3 version id": {
			body: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k.log","versionId":"v3","size":7}}}]}`,
			want: &event.Notification{Kind: event.KindObjects, Objects: []event.Object{{Bucket: "b", Key: "k.log", VersionID: "v3", Size: 7}}},
		},
		"a 200-byte body is quoted whole":  {body: pad(200), wantErr: "unknown event shape: " + pad(200)},
		"a 201-byte body is quoted to 200": {body: pad(201), wantErr: "unknown event shape: " + pad(201)[:200] + "..."},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := event.Decode([]byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, event.ErrUnknownShape) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrUnknownShape saying %q", err, tc.wantErr)
				}
				if strings.HasSuffix(tc.wantErr, "...") || strings.HasPrefix(name, "a 200") {
					if !strings.HasSuffix(err.Error(), tc.wantErr) {
						t.Errorf("err = %q, want it to end with the quote %q", err, tc.wantErr[len(tc.wantErr)-20:])
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, *tc.want) {
				t.Errorf("got %+v\nwant %+v", got, *tc.want)
			}
		})
	}
}
