package otlpjson_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpjson"
)

func str(s string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
}

func kv(k string, v *commonpb.AnyValue) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: v}
}

func request(records ...*logspb.LogRecord) *collogspb.ExportLogsServiceRequest {
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", str("elb"))}},
		ScopeLogs: []*logspb.ScopeLogs{{
			Scope:      &commonpb.InstrumentationScope{Name: "elb-otel", Version: "1.2.3"},
			LogRecords: records,
		}},
		SchemaUrl: "https://opentelemetry.io/schemas/1.26.0",
	}}}
}

// every value kind OTLP logs use, with the edge values of each.
var cases = []struct {
	name   string
	record *logspb.LogRecord
}{
	{"full record", &logspb.LogRecord{
		TimeUnixNano:         1764064800123456789,
		ObservedTimeUnixNano: math.MaxUint64,
		SeverityNumber:       logspb.SeverityNumber_SEVERITY_NUMBER_WARN,
		SeverityText:         "WARN",
		Body:                 str(`GET "/a\b" <x>&y ` + "\t\n\r\x01\x1f é 世"),
		Attributes: []*commonpb.KeyValue{
			kv("int", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: math.MinInt64}}),
			kv("zero", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{}}),
			kv("double", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 0.001234}}),
			kv("tiny", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 1.5e-9}}),
			kv("huge", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: -3e300}}),
			kv("whole", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 42}}),
			kv("bool", &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: false}}),
			kv("bytes", &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0, 0xff, 'a'}}}),
			kv("array", &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{
				Values: []*commonpb.AnyValue{str("a"), {Value: &commonpb.AnyValue_IntValue{IntValue: 7}}}}}}),
			kv("map", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{
				Values: []*commonpb.KeyValue{kv("k", str("v")), kv("empty", &commonpb.AnyValue{})}}}}),
			kv("", str("")),
		},
		DroppedAttributesCount: 3,
		Flags:                  1,
		TraceId:                []byte{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
		SpanId:                 []byte{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		EventName:              "aws.elb.access",
	}},
	{"empty record", &logspb.LogRecord{}},
}

// TestAppendLogsRequest_WritesWhatPdataWrites checks the JSON against pdata,
// the collector's own encoding: byte for byte against its marshaler, and by
// value through its unmarshaler.
func TestAppendLogsRequest_WritesWhatPdataWrites(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := proto.Marshal(request(tc.record, &logspb.LogRecord{Body: str("second")}))
			if err != nil {
				t.Fatal(err)
			}
			got, err := otlpjson.AppendLogsRequest([]byte("prefix"), raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, []byte("prefix")) {
				t.Fatalf("the output does not append to dst: %q", got)
			}
			got = got[len("prefix"):]

			want := plogotlp.NewExportRequest()
			if err := want.UnmarshalProto(raw); err != nil {
				t.Fatal(err)
			}
			wantJSON, err := want.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantJSON) {
				t.Errorf("JSON differs from pdata's:\n got: %s\nwant: %s", got, wantJSON)
			}
			assertSameLogs(t, got, raw)
		})
	}
}

// assertSameLogs decodes js with pdata's JSON unmarshaler and raw with its
// protobuf unmarshaler, and compares the two.
func assertSameLogs(t *testing.T, js, raw []byte) {
	t.Helper()
	fromJSON, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(js)
	if err != nil {
		t.Fatalf("pdata cannot read the JSON: %v\n%s", err, js)
	}
	fromProto, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(raw)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := (&plog.ProtoMarshaler{}).MarshalLogs(fromJSON)
	b, _ := (&plog.ProtoMarshaler{}).MarshalLogs(fromProto)
	if !bytes.Equal(a, b) {
		t.Errorf("the JSON decodes to other logs than the protobuf:\n%s", js)
	}
}

// TestAppendLogsRequest_EscapesWhatPdataPassesThrough covers strings pdata
// writes inconsistently (its fast path copies bytes that are not UTF-8 and
// U+2028 unescaped up to the first character it escapes): the JSON is valid
// and decodes to the same text, U+FFFD for the bytes that are not UTF-8.
func TestAppendLogsRequest_EscapesWhatPdataPassesThrough(t *testing.T) {
	for _, s := range []string{"line\u2028sep\u2029par", "bad\xffbyte", "\x00"} {
		// AppendMessage: proto.Marshal refuses strings that are not UTF-8.
		js := otlpjson.AppendMessage(nil, request(&logspb.LogRecord{Body: str(s)}))
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(js)
		if err != nil {
			t.Fatalf("%q: pdata cannot read the JSON: %v\n%s", s, err, js)
		}
		body := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()
		if want := strings.ToValidUTF8(s, "\uFFFD"); body != want {
			t.Errorf("%q arrives as %q, want %q", s, body, want)
		}
	}
}

func TestAppendLogsRequest_RejectsBytesThatAreNotARequest(t *testing.T) {
	if _, err := otlpjson.AppendLogsRequest(nil, []byte{0x0a, 0xff}); err == nil {
		t.Fatal("want an error for a truncated request")
	}
}

func BenchmarkAppendLogsRequest(b *testing.B) {
	records := make([]*logspb.LogRecord, 100)
	for i := range records {
		records[i] = cases[0].record
	}
	raw, _ := proto.Marshal(request(records...))
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	var out []byte
	for b.Loop() {
		out, _ = otlpjson.AppendLogsRequest(out[:0], raw)
	}
}
