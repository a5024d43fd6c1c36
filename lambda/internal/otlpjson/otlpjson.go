// Package otlpjson writes OTLP protobuf messages as OTLP/JSON, the encoding the
// OpenTelemetry Collector's file exporter and OTLP/HTTP JSON use: lowerCamelCase
// field names, trace and span ids as hex, enums as integers, 64-bit integers as
// decimal strings, other bytes as base64. Fields appear in the order of their
// declaration in the .proto files, as the collector's pdata writes them, so
// the output is byte for byte what pdata's JSON marshaler writes.
package otlpjson

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// AppendLogsRequest decodes req, an ExportLogsServiceRequest in OTLP protobuf,
// and appends it to dst as OTLP/JSON (one object, no newline).
func AppendLogsRequest(dst, req []byte) ([]byte, error) {
	var m collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(req, &m); err != nil {
		return dst, fmt.Errorf("decode the export request: %w", err)
	}
	return AppendMessage(dst, &m), nil
}

// AppendMetricsRequest decodes req, an ExportMetricsServiceRequest in OTLP
// protobuf, and appends it to dst as OTLP/JSON (one object, no newline).
func AppendMetricsRequest(dst, req []byte) ([]byte, error) {
	var m colmetricspb.ExportMetricsServiceRequest
	if err := proto.Unmarshal(req, &m); err != nil {
		return dst, fmt.Errorf("decode the export request: %w", err)
	}
	return AppendMessage(dst, &m), nil
}

// AppendMessage appends m as OTLP/JSON to dst.
func AppendMessage(dst []byte, m proto.Message) []byte {
	return appendMessage(dst, m.ProtoReflect())
}

func appendMessage(dst []byte, m protoreflect.Message) []byte {
	dst = append(dst, '{')
	fields := m.Descriptor().Fields()
	first := true
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) && !alwaysWritten(fd) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, fd.JSONName())
		dst = append(dst, ':')
		dst = appendField(dst, fd, m.Get(fd))
	}
	return append(dst, '}')
}

// alwaysWritten reports whether fd is written even when unset: a singular
// message outside a oneof (a record's body, a resource, a scope, a key's
// value), which pdata holds by value and always writes.
func alwaysWritten(fd protoreflect.FieldDescriptor) bool {
	return fd.Kind() == protoreflect.MessageKind && fd.Cardinality() != protoreflect.Repeated &&
		fd.ContainingOneof() == nil
}

func appendField(dst []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	if fd.IsList() {
		l := v.List()
		dst = append(dst, '[')
		for i := range l.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, fd, l.Get(i))
		}
		return append(dst, ']')
	}
	return appendValue(dst, fd, v)
}

func appendValue(dst []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return appendMessage(dst, v.Message())
	case protoreflect.StringKind:
		return appendString(dst, v.String())
	case protoreflect.BytesKind:
		if isID(fd) {
			return strconv.AppendQuote(dst, hex.EncodeToString(v.Bytes()))
		}
		return strconv.AppendQuote(dst, base64.StdEncoding.EncodeToString(v.Bytes()))
	case protoreflect.BoolKind:
		return strconv.AppendBool(dst, v.Bool())
	case protoreflect.EnumKind:
		return strconv.AppendInt(dst, int64(v.Enum()), 10)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return strconv.AppendInt(dst, v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(dst, v.Uint(), 10)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return append(strconv.AppendInt(append(dst, '"'), v.Int(), 10), '"')
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return append(strconv.AppendUint(append(dst, '"'), v.Uint(), 10), '"')
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return appendFloat(dst, v.Float())
	}
	panic(fmt.Sprintf("otlpjson: field %s has kind %v, which OTLP does not use", fd.FullName(), fd.Kind()))
}

// isID reports whether fd holds a trace or span id, which OTLP/JSON writes as
// hex rather than base64.
func isID(fd protoreflect.FieldDescriptor) bool {
	switch fd.Name() {
	case "trace_id", "span_id", "parent_span_id":
		return true
	}
	return false
}

// appendFloat writes a JSON number, or the strings OTLP/JSON uses for NaN and
// the infinities. Very small and very large values take an exponent (1.5e-09),
// as pdata writes them.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string: quotes, backslashes and control
// characters escaped, U+2028 and U+2029 escaped (they end lines in JavaScript),
// bytes that are not UTF-8 replaced by U+FFFD. HTML characters stay as they
// are.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
