package otlpexport

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bodyKind{
		"application/x-protobuf":          kindProto,
		"application/protobuf":            kindProto,
		"application/vnd.google.protobuf": kindProto,
		"application/json":                kindJSON,
		"application/json; charset=utf-8": kindJSON,
		"Application/JSON":                kindJSON,
		" application/json ":              kindJSON,
		"application/json;":               kindJSON, // malformed parameters: the media type still counts
		"text/plain":                      kindUnknown,
		"":                                kindUnknown,
	} {
		if got := kindOf(in); got != want {
			t.Errorf("kindOf(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestDecodePartialSuccess: the response is read in the encoding its
// Content-Type names, or without one in the encoding of the request.
func TestDecodePartialSuccess(t *testing.T) {
	t.Parallel()
	resp := &collogspb.ExportLogsServiceResponse{PartialSuccess: &collogspb.ExportLogsPartialSuccess{RejectedLogRecords: 3, ErrorMessage: "too old"}}
	pb, err := proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	js, err := protojson.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		contentType string
		body        []byte
		sent        Protocol
		want        int64
	}{
		"protobuf":                       {contentType: "application/x-protobuf", body: pb, sent: ProtocolHTTPJSON, want: 3},
		"json":                           {contentType: "application/json", body: js, sent: ProtocolHTTPProtobuf, want: 3},
		"no content type, protobuf sent": {body: pb, sent: ProtocolHTTPProtobuf, want: 3},
		"no content type, json sent":     {body: js, sent: ProtocolHTTPJSON, want: 3},
		"empty body":                     {contentType: "application/x-protobuf", sent: ProtocolHTTPProtobuf},
		"undecodable body":               {contentType: "application/json", body: []byte("<html>"), sent: ProtocolHTTPJSON},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rejected, msg := decodePartialSuccess(tc.contentType, tc.body, tc.sent)
			if rejected != tc.want || (tc.want != 0 && msg != "too old") {
				t.Errorf("decodePartialSuccess = %d, %q; want %d rejected", rejected, msg, tc.want)
			}
		})
	}
}

// TestStatusMessage: an error response's message is the google.rpc.Status
// message, else the body as text, else its size.
func TestStatusMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("quota exceeded for tenant acme; ", 8) // over 127 bytes: its length is a two-byte varint
	status := func(code int32, msg string) []byte {
		b, err := proto.Marshal(&statuspb.Status{Code: code, Message: msg})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := map[string]struct {
		contentType string
		body        []byte
		want        string
	}{
		"status":                 {contentType: "application/x-protobuf", body: status(8, long), want: strings.TrimSpace(long)},
		"status without message": {contentType: "application/x-protobuf", body: status(300, ""), want: "(3-byte body that is neither a google.rpc.Status nor text)"},
		"json":                   {contentType: "application/json", body: []byte(`{"code":8,"message":"slow down"}`), want: "slow down"},
		"json without message":   {contentType: "application/json", body: []byte(`{"code":8}`), want: `{"code":8}`},
		"text":                   {contentType: "text/plain", body: []byte("upstream connect error\n"), want: "upstream connect error"},
		"binary":                 {contentType: "application/octet-stream", body: []byte{0xff, 0xfe, 0x00}, want: "(3-byte body that is neither a google.rpc.Status nor text)"},
		"empty":                  {contentType: "text/plain"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := statusMessage(tc.contentType, tc.body); got != tc.want {
				t.Errorf("statusMessage = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRoundDur(t *testing.T) {
	t.Parallel()
	for in, want := range map[time.Duration]time.Duration{
		1234567891 * time.Nanosecond: 1230 * time.Millisecond,
		time.Second:                  time.Second,
		12345678 * time.Nanosecond:   12 * time.Millisecond,
		999 * time.Microsecond:       999 * time.Microsecond,
	} {
		if got := roundDur(in); got != want {
			t.Errorf("roundDur(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestSleepCtx_EndedContext: a wait of zero or less still reports an ended
// context, so a cancelled export does not make one more attempt.
func TestSleepCtx_EndedContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		for _, d := range []time.Duration{0, -time.Second} {
			if err := sleepCtx(ctx, d); !errors.Is(err, context.Canceled) {
				t.Fatalf("sleepCtx(cancelled, %s) = %v, want context.Canceled", d, err)
			}
		}
	}
	if err := sleepCtx(context.Background(), 0); err != nil {
		t.Errorf("sleepCtx(live, 0) = %v, want nil", err)
	}
}
