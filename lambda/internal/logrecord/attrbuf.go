package logrecord

import (
	"math"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
)

// attrBuf collects the attributes of one record, which appendProto encodes (and
// the tests' oracle puts into a pdata map with flush). It is reused from record
// to record.
type attrBuf struct {
	attrs  []attr
	items  []string // the items of the string arrays
	uidGen uidGen   // makes the values of kindUID attributes
}

type attrKind uint8

const (
	kindStr attrKind = iota
	kindInt
	kindDouble
	kindStrings // items[from:to]
	kindUID     // the log.record.uid of line num, made when the value is written
)

// attr is one attribute. It is kept small: a record has some 40 of them.
type attr struct {
	key      string
	str      string // kindStr
	num      int64  // kindInt; kindDouble: the float64's bits; kindUID: the line number
	from, to int32  // kindStrings: items[from:to]
	kind     attrKind
}

func (b *attrBuf) reset() {
	b.attrs = b.attrs[:0]
	b.items = b.items[:0]
}

// str adds a string attribute, unless v is empty (absent).
func (b *attrBuf) str(k, v string) {
	if v != "" {
		b.attrs = append(b.attrs, attr{key: k, kind: kindStr, str: v})
	}
}

// set adds a string attribute, even an empty one, or replaces the value of the
// attribute k already added, in its place (as pdata's Map.PutStr does).
func (b *attrBuf) set(k, v string) {
	for i := range b.attrs {
		if b.attrs[i].key == k {
			b.attrs[i] = attr{key: k, kind: kindStr, str: v}
			return
		}
	}
	b.attrs = append(b.attrs, attr{key: k, kind: kindStr, str: v})
}

// uid adds the log.record.uid of line lineNo.
func (b *attrBuf) uid(k string, lineNo int64) {
	b.attrs = append(b.attrs, attr{key: k, kind: kindUID, num: lineNo})
}

func (b *attrBuf) int64(k string, v int64) {
	b.attrs = append(b.attrs, attr{key: k, kind: kindInt, num: v})
}

// int adds an int attribute, unless v is absent.
func (b *attrBuf) int(k string, v elblog.Int) {
	if v.Valid {
		b.int64(k, v.Value)
	}
}

// float adds a double attribute, unless v is absent.
func (b *attrBuf) float(k string, v elblog.Float) {
	if v.Valid {
		b.attrs = append(b.attrs, attr{key: k, kind: kindDouble, num: int64(math.Float64bits(v.Value))})
	}
}

// addr adds an address and its port, unless the address is absent.
func (b *attrBuf) addr(kAddr, kPort string, v elblog.Addr) {
	if v.IP != "" {
		b.str(kAddr, v.IP)
		b.int64(kPort, int64(v.Port))
	}
}

// strings adds a string array, unless vs is empty.
func (b *attrBuf) strings(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	from := len(b.items)
	b.items = append(b.items, vs...)
	b.attrs = append(b.attrs, attr{key: k, kind: kindStrings, from: int32(from), to: int32(len(b.items))})
}

// list adds a list field as a string array, unless it is absent or empty.
func (b *attrBuf) list(k string, l elblog.List) {
	if l.IsZero() {
		return
	}
	from := len(b.items)
	b.items = l.AppendItems(b.items)
	if len(b.items) > from {
		b.attrs = append(b.attrs, attr{key: k, kind: kindStrings, from: int32(from), to: int32(len(b.items))})
	}
}

// request adds the semantic-convention attributes of an HTTP request line.
func (b *attrBuf) request(r *elblog.Request) {
	b.str(attrHTTPMethod, r.Method)
	b.str(attrURLFull, r.URL)
	b.str(attrURLScheme, r.Scheme)
	b.str(attrServerAddress, r.Host)
	if r.Port != 0 {
		b.int64(attrServerPort, int64(r.Port))
	}
	b.str(attrURLPath, r.Path)
	b.str(attrURLQuery, r.Query)
	if name, version, ok := splitHTTPProto(r.Proto); ok {
		b.str(attrProtocolName, name)
		b.str(attrProtocolVersion, version)
	}
}

// tlsProtocol adds tls.protocol.name and tls.protocol.version from the protocol as
// ELB logs it: TLSv1.2 (ALB, CLB) and tlsv12 (NLB) are tls and 1.2; TLSv1 and tlsv10
// are tls and 1.0; SSLv3 is ssl and 3.
func (b *attrBuf) tlsProtocol(p string) {
	if p == "" {
		return
	}
	name, version := splitTLSProtocol(p)
	b.str(attrTLSProtocolName, name)
	b.str(attrTLSProtocolVersion, version)
}
