package logrecord

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
)

// The instrumentation scope of every record.
const (
	ScopeName    = "github.com/elb-otel/elb-otel"
	ScopeVersion = "0.1.0"
)

// DefaultServiceName is the service.name when Options.ServiceName is empty.
const DefaultServiceName = "elb"

// Source is where the lines come from: one S3 object.
type Source struct {
	Bucket string
	Key    string
	// ETag of the object version read. Surrounding quotes are ignored, so the ETag
	// of an S3 event and that of GetObject give the same log.record.uid.
	ETag string
}

// Options tune a Converter. The zero Options are valid.
type Options struct {
	// ServiceName is the service.name resource attribute.
	// Default: "elb".
	ServiceName string
	// ResourceAttributes are extra resource attributes (from OTEL_RESOURCE_ATTRIBUTES),
	// applied after the defaults, so they can override them.
	// Default: none.
	ResourceAttributes map[string]string
	// Now returns the observed time of each record.
	// Default: time.Now.
	Now func() time.Time
}

// Outcome is what AppendProto did with a line.
type Outcome uint8

// The outcomes of AppendProto.
const (
	OutcomeRecord     Outcome = iota // a record was appended
	OutcomeParseError                // the line did not parse; a record with the raw line was appended anyway
	OutcomeSkipped                   // a blank or control line; nothing was appended
)

// String returns "record", "parse_error" or "skipped".
func (o Outcome) String() string {
	switch o {
	case OutcomeRecord:
		return "record"
	case OutcomeParseError:
		return "parse_error"
	case OutcomeSkipped:
		return "skipped"
	}
	return "unknown"
}

// Converter turns the lines of one S3 object into OTLP log records. It reuses its
// parse buffers from line to line: use one Converter per object, from one goroutine.
type Converter struct {
	src      Source
	key      KeyInfo
	service  string
	resAttrs [][2]string // Options.ResourceAttributes, sorted by key
	now      func() time.Time
	hint     elblog.Format // from the key
	format   elblog.Format // detected on the first line that has an entry
	lbID     string        // elb field of the first parsed line
	err      error
	alb      elblog.ALBAccess
	conn     elblog.ALBConnection
	nlb      elblog.NLBAccess
	clb      elblog.CLBAccess
	head     recordHead // the record being made: its fields but the attributes,
	attrs    attrBuf    // and its attributes
	note     string     // SetParseError's message for the next record
	replaced bool       // the last line had bytes that are not UTF-8
	res      attrBuf    // the resource attributes, for FillResource and FinishRequest
}

// NewConverter returns a Converter for the lines of src.
func NewConverter(src Source, opts Options) *Converter {
	src.ETag = strings.Trim(src.ETag, `"`)
	c := &Converter{
		src:     src,
		key:     ParseKey(src.Key),
		service: opts.ServiceName,
		now:     opts.Now,
		attrs:   attrBuf{attrs: make([]attr, 0, 48), items: make([]string, 0, 8)},
	}
	c.attrs.uidGen = newUIDGen(src.Bucket, src.Key, src.ETag)
	if c.service == "" {
		c.service = DefaultServiceName
	}
	if c.now == nil {
		c.now = time.Now
	}
	for k, v := range opts.ResourceAttributes {
		c.resAttrs = append(c.resAttrs, [2]string{k, v})
	}
	slices.SortFunc(c.resAttrs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	switch id := c.key.LoadBalancerID; {
	case c.key.Connection:
		c.hint = elblog.FormatALBConnection
	case strings.HasPrefix(id, "app/"):
		c.hint = elblog.FormatALBAccess
	case strings.HasPrefix(id, "net/"):
		c.hint = elblog.FormatNLBAccess
	case id != "":
		c.hint = elblog.FormatCLBAccess
	}
	return c
}

// Format returns the format of the lines, detected on the first line that has an
// entry, or FormatUnknown before that.
func (c *Converter) Format() elblog.Format { return c.format }

// LastError returns the error of the last AppendProto call that returned
// OutcomeParseError, or nil when the last call did not. Its message starts with the
// line number, and it wraps the *elblog.ParseError when there is one.
func (c *Converter) LastError() error { return c.err }

// Replaced reports whether the line of the last AppendProto call had
// bytes that are not UTF-8, replaced with U+FFFD in its record (which then has
// aws.elb.encoding_error).
func (c *Converter) Replaced() bool { return c.replaced }

// SetParseError makes the record of the next AppendProto call carry
// aws.elb.parse_error = msg, replacing the parser's message if it has one (the
// pipeline uses it for lines it truncated). That call clears it, whether or not it
// appends a record.
func (c *Converter) SetParseError(msg string) { c.note = msg }

// LastTimestamp returns the time of the record the last AppendProto call appended,
// in nanoseconds since the Unix epoch: the entry's time, or 0 when the line had
// none or was skipped.
func (c *Converter) LastTimestamp() uint64 { return c.head.time }

// convert parses s, the line without its terminator, into c.head and c.attrs: the
// fields of its record, which AppendProto encodes (and the tests' Convert puts
// into pdata).
// Nothing of s is kept after the next call, except by c.lbID, which is a copy.
func (c *Converter) convert(lineNo int64, s string) Outcome {
	c.err = nil
	c.head = recordHead{}
	c.replaced = false
	note := c.note
	c.note = ""
	if elblog.IsControlLine(s) {
		return OutcomeSkipped
	}
	if !utf8.ValidString(s) {
		// OTLP strings are protobuf strings, which must be UTF-8: one bad byte
		// makes a receiver reject the whole request. Replace the bad bytes,
		// say so on the record, and count it (Replaced).
		s = strings.ToValidUTF8(s, "\uFFFD")
		c.replaced = true
	}
	if c.format == elblog.FormatUnknown {
		c.format = elblog.Detect(s)
		if c.format == elblog.FormatUnknown {
			c.format = c.hint
		}
	}
	// Whole seconds: records observed in the same second share the value,
	// which gzip reduces to a back-reference (the exact processing instant
	// within a second tells nothing).
	c.head.observed = unixNano(c.now().Truncate(time.Second))
	c.head.body = s

	var err error
	switch c.format {
	case elblog.FormatALBAccess:
		if err = elblog.ParseALBAccess(s, &c.alb); err == nil {
			c.setLB(c.alb.ELB)
			c.fillALBAccess(&c.alb)
		}
	case elblog.FormatALBConnection:
		if err = elblog.ParseALBConnection(s, &c.conn); err == nil {
			c.fillALBConnection(&c.conn)
		}
	case elblog.FormatNLBAccess:
		if err = elblog.ParseNLBAccess(s, &c.nlb); err == nil {
			c.setLB(c.nlb.ELB)
			c.fillNLBAccess(&c.nlb)
		}
	case elblog.FormatCLBAccess:
		if err = elblog.ParseCLBAccess(s, &c.clb); err == nil {
			c.setLB(c.clb.ELB)
			c.fillCLBAccess(&c.clb)
		}
	default:
		err = errUnknownFormat
	}
	o := OutcomeRecord
	if err != nil {
		o = OutcomeParseError
		c.err = &LineError{Line: lineNo, Err: err}
		c.attrs.reset()
		c.attrs.str(attrLogFormat, c.format.String())
		c.attrs.str(attrParseError, c.err.Error())
	} else {
		c.attrs.str(attrLogFormat, c.format.String())
	}
	c.attrs.uid(attrLogRecordUID, lineNo)
	if c.replaced {
		c.attrs.set(attrEncodingError, "the line had bytes that are not UTF-8; each was replaced with U+FFFD")
	}
	if note != "" {
		c.attrs.set(attrParseError, note)
	}
	return o
}

// The OTLP SeverityNumber values of the records (LogRecord.severity_number).
const (
	severityUnspecified int32 = 0  // SEVERITY_NUMBER_UNSPECIFIED: absent
	severityInfo        int32 = 9  // SEVERITY_NUMBER_INFO
	severityWarn        int32 = 13 // SEVERITY_NUMBER_WARN
	severityError       int32 = 17 // SEVERITY_NUMBER_ERROR
)

// recordHead holds the fields of a record other than its attributes. A zero field is
// absent.
type recordHead struct {
	time     uint64 // nanoseconds since the Unix epoch
	observed uint64 // nanoseconds since the Unix epoch
	severity int32  // an OTLP SeverityNumber
	sevText  string
	traceID  [16]byte
	body     string
}

// unixNano returns t as OTLP time: nanoseconds since the Unix epoch.
func unixNano(t time.Time) uint64 { return uint64(t.UnixNano()) }

// errUnknownFormat is the parse error of a line whose format is not recognized.
var errUnknownFormat = errors.New("unrecognized ELB log line: not an ALB, NLB or CLB access log or ALB connection log line")

// LineError is a line that did not parse, with its number.
type LineError struct {
	Line int64 // 1-based line number within the object
	Err  error // why; a *elblog.ParseError when the format is known
}

// Error returns, for example, "line 12: alb_access line has 3 fields, want at least 29".
func (e *LineError) Error() string {
	return "line " + strconv.FormatInt(e.Line, 10) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// setLB remembers the load balancer of the first parsed line.
func (c *Converter) setLB(id string) {
	if c.lbID == "" && id != "" {
		c.lbID = strings.Clone(id)
	}
}

// resource collects the resource attributes into c.res: cloud.provider (aws),
// cloud.platform (aws_elb), cloud.region and cloud.account.id (from the key),
// cloud.resource_id (the load balancer's ARN, from the elb field of the first
// parsed line, else from the key; the bare ID when the key gives no Region or
// account), aws.s3.bucket, aws.s3.key, service.name, then
// Options.ResourceAttributes. FinishRequest calls it after converting the
// lines, so that the load balancer is known.
func (c *Converter) resource() {
	a := &c.res
	a.reset()
	a.str(resCloudProvider, "aws")
	a.str(resCloudPlatform, "aws_elb")
	a.str(resCloudRegion, c.key.Region)
	a.str(resCloudAccountID, c.key.Account)
	a.str(resCloudResourceID, c.resourceID())
	a.str(resS3Bucket, c.src.Bucket)
	a.str(resS3Key, c.src.Key)
	a.str(resServiceName, c.service)
	for _, kv := range c.resAttrs {
		a.set(kv[0], kv[1]) // may override the above
	}
}

// resourceID returns the load balancer's ARN, or its bare ID when the key gives no
// Region or account, or "".
func (c *Converter) resourceID() string {
	id := c.lbID
	if id == "" {
		id = c.key.LoadBalancerID
	}
	if id == "" || c.key.Region == "" || c.key.Account == "" {
		return id
	}
	return "arn:" + partition(c.key.Region) + ":elasticloadbalancing:" + c.key.Region + ":" + c.key.Account + ":loadbalancer/" + id
}

// partition returns the ARN partition of an AWS Region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// trimEOL removes a trailing line terminator.
func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
