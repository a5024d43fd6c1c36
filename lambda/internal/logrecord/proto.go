package logrecord

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// The OTLP protobuf encoding, written straight from a converted line: no pdata
// objects, no allocations. The bytes are those pdata's MarshalProto writes for the
// same records (the tests' Convert, FillResource, FillScope, then plogotlp's MarshalProto), field
// order included: pdata writes the fields of each message in reverse field-number
// order (the records of a ScopeLogs before its scope, the scope_logs of a
// ResourceLogs before its resource, the value of a KeyValue before its key), an empty
// trace_id and span_id as empty fields, and every AnyValue with its tag. The tests
// compare the two byte for byte, and decode them with OpenTelemetry's own types.
//
// Tags: field number << 3 | wire type, the wire type being 0 (varint, written as
// a bare shift), 1 (fixed64) or 2 (length-delimited).
const (
	tagRequestResourceLogs = 1<<3 | 2 // ExportLogsServiceRequest.resource_logs
	tagResourceLogsRes     = 1<<3 | 2 // ResourceLogs.resource
	tagResourceLogsScope   = 2<<3 | 2 // ResourceLogs.scope_logs
	tagResourceAttr        = 1<<3 | 2 // Resource.attributes
	tagScopeLogsScope      = 1<<3 | 2 // ScopeLogs.scope
	tagScopeLogsRecord     = 2<<3 | 2 // ScopeLogs.log_records
	tagScopeName           = 1<<3 | 2 // InstrumentationScope.name
	tagScopeVersion        = 2<<3 | 2 // InstrumentationScope.version

	tagRecordTime     = 1<<3 | 1  // LogRecord.time_unix_nano
	tagRecordSevNum   = 2 << 3    // LogRecord.severity_number
	tagRecordSevText  = 3<<3 | 2  // LogRecord.severity_text
	tagRecordBody     = 5<<3 | 2  // LogRecord.body
	tagRecordAttr     = 6<<3 | 2  // LogRecord.attributes
	tagRecordTraceID  = 9<<3 | 2  // LogRecord.trace_id
	tagRecordSpanID   = 10<<3 | 2 // LogRecord.span_id
	tagRecordObserved = 11<<3 | 1 // LogRecord.observed_time_unix_nano

	tagKVKey      = 1<<3 | 2 // KeyValue.key
	tagKVValue    = 2<<3 | 2 // KeyValue.value
	tagValueStr   = 1<<3 | 2 // AnyValue.string_value
	tagValueInt   = 3 << 3   // AnyValue.int_value
	tagValueDbl   = 4<<3 | 1 // AnyValue.double_value
	tagValueArray = 5<<3 | 2 // AnyValue.array_value
	tagArrayValue = 1<<3 | 2 // ArrayValue.values
)

// RequestHeadroom is the room FinishRequest needs before the records.
const RequestHeadroom = 2 * (1 + binary.MaxVarintLen32)

// AppendProto turns one line of the object into a log record: it appends the
// record to dst as one log_records field of a ScopeLogs message, and returns the
// extended buffer and the outcome. lineNo is the line's 1-based number within the
// object: it goes into log.record.uid. line is not kept: the caller may reuse it
// when AppendProto returns.
//
// A blank or control line appends nothing and returns OutcomeSkipped. The format is
// detected from the content of the first line that has an entry (the key's file name
// decides when the content is not recognized), and kept for the following lines. A line
// that does not parse is still appended, with the raw line as body, the observed
// time, no severity and an aws.elb.parse_error attribute; AppendProto then returns
// OutcomeParseError and LastError tells why.
//
// The bytes are those pdata's MarshalProto would write for the record (the tests
// compare them with their pdata oracle, Convert).
func (c *Converter) AppendProto(dst []byte, lineNo int64, line []byte) ([]byte, Outcome) {
	// The string shares line's memory: nothing keeps it past this call (c.lbID
	// is a copy, the parse error messages are built), and line is not modified
	// during it.
	s := trimEOL(unsafe.String(unsafe.SliceData(line), len(line)))
	o := c.convert(lineNo, s)
	if o == OutcomeSkipped {
		return dst, o
	}
	h := &c.head
	dst = append(dst, tagScopeLogsRecord, 0, 0) // the length, written below
	at := len(dst) - 2
	dst = append(dst, tagRecordSpanID, 0)
	if h.traceID == [16]byte{} {
		dst = append(dst, tagRecordTraceID, 0)
	} else {
		dst = append(dst, tagRecordTraceID, byte(len(h.traceID)))
		dst = append(dst, h.traceID[:]...)
	}
	dst = c.attrs.appendProto(dst, tagRecordAttr)
	dst = append(dst, tagRecordBody)
	dst = binary.AppendUvarint(dst, uint64(stringValueSize(h.body)))
	dst = appendString(dst, tagValueStr, h.body)
	if h.sevText != "" {
		dst = appendString(dst, tagRecordSevText, h.sevText)
	}
	if h.severity != 0 {
		dst = append(dst, tagRecordSevNum)
		dst = binary.AppendUvarint(dst, uint64(h.severity))
	}
	if h.observed != 0 {
		dst = append(dst, tagRecordObserved)
		dst = binary.LittleEndian.AppendUint64(dst, h.observed)
	}
	if h.time != 0 {
		dst = append(dst, tagRecordTime)
		dst = binary.LittleEndian.AppendUint64(dst, h.time)
	}
	return putLength(dst, at), o
}

// putLength writes the length of dst[at+2:] as a varint into dst[at:at+2], the
// two bytes reserved for it (enough below 16 KiB), moving the message when its
// length takes another number of bytes.
func putLength(dst []byte, at int) []byte {
	n := len(dst) - at - 2
	if d := sizeVarint(uint64(n)) - 2; d > 0 {
		dst = append(dst, make([]byte, d)...)
		copy(dst[at+2+d:], dst[at+2:at+2+n])
	} else if d < 0 {
		copy(dst[at+1:], dst[at+2:])
		dst = dst[:len(dst)-1]
	}
	binary.PutUvarint(dst[at:], uint64(n))
	return dst
}

// FinishRequest makes an OTLP ExportLogsServiceRequest of buf, whose first
// RequestHeadroom bytes are free and whose rest holds the records AppendProto
// appended: it appends the scope (ScopeName, ScopeVersion) and the resource to
// buf, writes the message's head into the free room, and returns the request, which
// shares buf's memory. Its bytes are those of pdata's MarshalProto for one
// ResourceLogs holding one ScopeLogs with these records.
func (c *Converter) FinishRequest(buf []byte) []byte {
	records := len(buf) - RequestHeadroom
	c.resource()

	scopeSize := fieldSize(len(ScopeVersion)) + fieldSize(len(ScopeName))
	buf = append(buf, tagScopeLogsScope)
	buf = binary.AppendUvarint(buf, uint64(scopeSize))
	buf = appendString(buf, tagScopeVersion, ScopeVersion)
	buf = appendString(buf, tagScopeName, ScopeName)
	scopeLogsSize := records + 1 + sizeVarint(uint64(scopeSize)) + scopeSize

	resSize := c.res.protoSize()
	buf = append(buf, tagResourceLogsRes)
	buf = binary.AppendUvarint(buf, uint64(resSize))
	buf = c.res.appendProto(buf, tagResourceAttr)
	resourceLogsSize := 1 + sizeVarint(uint64(scopeLogsSize)) + scopeLogsSize +
		1 + sizeVarint(uint64(resSize)) + resSize

	var head [RequestHeadroom]byte
	h := append(head[:0], tagRequestResourceLogs)
	h = binary.AppendUvarint(h, uint64(resourceLogsSize))
	h = append(h, tagResourceLogsScope)
	h = binary.AppendUvarint(h, uint64(scopeLogsSize))
	start := RequestHeadroom - len(h)
	copy(buf[start:], h)
	return buf[start:]
}

// protoSize returns the encoded size of the attributes as KeyValue fields (with a
// one-byte tag).
func (b *attrBuf) protoSize() int {
	n := 0
	for i := range b.attrs {
		_, kv := b.sizes(&b.attrs[i])
		n += fieldSize(kv)
	}
	return n
}

// sizes returns the encoded sizes of a's AnyValue and KeyValue messages.
func (b *attrBuf) sizes(a *attr) (value, kv int) {
	switch a.kind {
	case kindStr:
		value = stringValueSize(a.str)
	case kindInt:
		value = 1 + sizeVarint(uint64(a.num))
	case kindDouble:
		value = 9
	case kindStrings:
		value = fieldSize(b.arraySize(a))
	case kindUID:
		value = 2 + uidLen(a.num)
	}
	kv = fieldSize(value)
	if a.key != "" {
		kv += fieldSize(len(a.key))
	}
	return value, kv
}

// arraySize returns the encoded size of the ArrayValue of a kindStrings attribute.
func (b *attrBuf) arraySize(a *attr) int {
	n := 0
	for _, v := range b.items[a.from:a.to] {
		n += fieldSize(stringValueSize(v))
	}
	return n
}

// appendProto appends the attributes as KeyValue fields with tag.
func (b *attrBuf) appendProto(dst []byte, tag byte) []byte {
	for i := range b.attrs {
		a := &b.attrs[i]
		value, kv := b.sizes(a)
		dst = append(dst, tag)
		dst = binary.AppendUvarint(dst, uint64(kv))
		dst = append(dst, tagKVValue)
		dst = binary.AppendUvarint(dst, uint64(value))
		switch a.kind {
		case kindStr:
			dst = appendString(dst, tagValueStr, a.str)
		case kindInt:
			dst = append(dst, tagValueInt)
			dst = binary.AppendUvarint(dst, uint64(a.num))
		case kindDouble:
			dst = append(dst, tagValueDbl)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(a.num))
		case kindStrings:
			dst = append(dst, tagValueArray)
			dst = binary.AppendUvarint(dst, uint64(b.arraySize(a)))
			for _, v := range b.items[a.from:a.to] {
				dst = append(dst, tagArrayValue)
				dst = binary.AppendUvarint(dst, uint64(stringValueSize(v)))
				dst = appendString(dst, tagValueStr, v)
			}
		case kindUID:
			dst = append(dst, tagValueStr, byte(uidLen(a.num)))
			dst = b.uidGen.appendUID(dst, a.num)
		}
		if a.key != "" {
			dst = appendString(dst, tagKVKey, a.key)
		}
	}
	return dst
}

// appendString appends a length-delimited field.
func appendString(dst []byte, tag byte, s string) []byte {
	dst = append(dst, tag)
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// fieldSize returns the size of a length-delimited field of n bytes (one-byte tag).
func fieldSize(n int) int { return 1 + sizeVarint(uint64(n)) + n }

// stringValueSize returns the size of an AnyValue holding s.
func stringValueSize(s string) int { return fieldSize(len(s)) }

// sizeVarint returns the size of v as a varint.
func sizeVarint(v uint64) int {
	switch {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	}
	return (bits.Len64(v) + 6) / 7
}
