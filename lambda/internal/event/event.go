// Package event decodes the notifications that name new log objects: S3 event
// notifications, EventBridge "Object Created" events, SNS-wrapped S3
// notifications, the shipper's own continuation messages and a manual
// backfill request. Each decodes into typed structs, never map[string]any.
package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Object names one log object to ship.
type Object struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	ETag      string `json:"etag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Size      int64  `json:"size,omitempty"`
	// StartLine is set on continuations: the 1-based line to resume at.
	StartLine int64 `json:"startLine,omitempty"`
	// Keep is set on a continuation when the endpoint rejected records of an
	// earlier part: the object must not be deleted.
	Keep bool `json:"keep,omitempty"`
}

// Backfill asks to ship every object under Prefix in Bucket.
type Backfill struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	// StartAfter continues a backfill the deadline cut short: listing starts
	// after this key.
	StartAfter string `json:"startAfter,omitempty"`
}

// Kind says what a notification was.
type Kind int

// Kinds of notification.
const (
	KindObjects      Kind = iota // one or more objects to ship
	KindTestEvent                // s3:TestEvent sent when a notification is configured
	KindBackfill                 // a manual {bucket, prefix} request
	KindContinuation             // the shipper's own "continue this object" message
)

// Notification is a decoded notification.
type Notification struct {
	Kind     Kind
	Objects  []Object
	Backfill Backfill
}

// ErrUnknownShape is returned for a body that is none of the known shapes.
var ErrUnknownShape = errors.New("unknown event shape")

// ContinuationKey marks a continuation message body.
const ContinuationKey = "elbOtelContinuation"

// Continuation is the body of a continuation message.
type Continuation struct {
	Object Object `json:"elbOtelContinuation"`
}

// envelope holds the fields that tell the shapes apart.
type envelope struct {
	// S3 notification
	Records []s3Record `json:"Records"`
	Event   string     `json:"Event"` // "s3:TestEvent"
	// EventBridge
	Source     string           `json:"source"`
	DetailType string           `json:"detail-type"`
	Detail     *eventBridgeData `json:"detail"`
	// SNS
	Type    string `json:"Type"`
	Message string `json:"Message"`
	// continuation
	Continuation *Object `json:"elbOtelContinuation"`
	// backfill
	Bucket     *string `json:"bucket"`
	Prefix     *string `json:"prefix"`
	StartAfter string  `json:"startAfter"`
}

type s3Record struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	S3          struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Size      int64  `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
		} `json:"object"`
	} `json:"s3"`
}

type eventBridgeData struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		ETag      string `json:"etag"`
		VersionID string `json:"version-id"`
	} `json:"object"`
}

// Decode decodes one notification body (an SQS message body or a direct
// invocation payload).
func Decode(body []byte) (Notification, error) {
	return decode(body, 0)
}

func decode(body []byte, depth int) (Notification, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Notification{}, fmt.Errorf("%w: not a JSON object: %s", ErrUnknownShape, snippet(body))
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Notification{}, fmt.Errorf("%w: %v: %s", ErrUnknownShape, err, snippet(body))
	}
	switch {
	case env.Continuation != nil:
		o := *env.Continuation
		if o.Bucket == "" || o.Key == "" || o.StartLine < 1 {
			return Notification{}, fmt.Errorf("%w: continuation needs bucket, key and startLine >= 1: %s", ErrUnknownShape, snippet(body))
		}
		return Notification{Kind: KindContinuation, Objects: []Object{o}}, nil
	case env.Event == "s3:TestEvent":
		return Notification{Kind: KindTestEvent}, nil
	case len(env.Records) > 0:
		return fromS3Records(env.Records, body)
	case env.Source == "aws.s3" && env.Detail != nil:
		if env.DetailType != "Object Created" {
			return Notification{}, fmt.Errorf("%w: EventBridge detail-type %q, want \"Object Created\"", ErrUnknownShape, env.DetailType)
		}
		d := env.Detail
		if d.Bucket.Name == "" || d.Object.Key == "" {
			return Notification{}, fmt.Errorf("%w: EventBridge event without bucket name or object key: %s", ErrUnknownShape, snippet(body))
		}
		return Notification{Kind: KindObjects, Objects: []Object{{
			Bucket: d.Bucket.Name, Key: d.Object.Key, ETag: d.Object.ETag, VersionID: d.Object.VersionID, Size: d.Object.Size,
		}}}, nil
	case env.Type == "Notification" && env.Message != "":
		if depth > 0 {
			return Notification{}, fmt.Errorf("%w: SNS message nested in an SNS message", ErrUnknownShape)
		}
		return decode([]byte(env.Message), depth+1)
	case env.Bucket != nil:
		if *env.Bucket == "" {
			return Notification{}, fmt.Errorf("%w: backfill request needs a bucket, e.g. {\"bucket\":\"my-logs\",\"prefix\":\"AWSLogs/123456789012/\"}", ErrUnknownShape)
		}
		b := Backfill{Bucket: *env.Bucket}
		if env.Prefix != nil {
			b.Prefix = *env.Prefix
		}
		b.StartAfter = env.StartAfter
		return Notification{Kind: KindBackfill, Backfill: b}, nil
	}
	return Notification{}, fmt.Errorf("%w: %s", ErrUnknownShape, snippet(body))
}

func fromS3Records(records []s3Record, body []byte) (Notification, error) {
	n := Notification{Kind: KindObjects}
	for i, r := range records {
		if r.EventSource != "aws:s3" {
			return Notification{}, fmt.Errorf("%w: record %d has eventSource %q, want \"aws:s3\"", ErrUnknownShape, i, r.EventSource)
		}
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue // not a new object (e.g. a delete); nothing to ship
		}
		// S3 notifications URL-encode keys, with '+' for spaces.
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return Notification{}, fmt.Errorf("%w: record %d: bad key encoding %q: %v", ErrUnknownShape, i, r.S3.Object.Key, err)
		}
		if r.S3.Bucket.Name == "" || key == "" {
			return Notification{}, fmt.Errorf("%w: record %d without bucket name or object key: %s", ErrUnknownShape, i, snippet(body))
		}
		n.Objects = append(n.Objects, Object{
			Bucket: r.S3.Bucket.Name, Key: key, ETag: r.S3.Object.ETag, VersionID: r.S3.Object.VersionID, Size: r.S3.Object.Size,
		})
	}
	return n, nil
}

// IsLogKey reports whether key names an ELB log object (".log" or ".log.gz");
// anything else, like the "ELBAccessLogTestFile" ELB writes when logging is
// switched on, is skipped.
func IsLogKey(key string) bool {
	return strings.HasSuffix(key, ".log.gz") || strings.HasSuffix(key, ".log")
}

func snippet(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
