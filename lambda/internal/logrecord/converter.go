package logrecord

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

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

// Outcome is what Convert did with a line.
type Outcome uint8

// The outcomes of Convert.
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
	uid      uidGen
	hint     elblog.Format // from the key
	format   elblog.Format // detected on the first line that has an entry
	lbID     string        // elb field of the first parsed line
	err      error
	alb      elblog.ALBAccess
	conn     elblog.ALBConnection
	nlb      elblog.NLBAccess
	clb      elblog.CLBAccess
	attrs    attrBuf // attributes of the record being made
	uidBuf   [32]byte
}

// NewConverter returns a Converter for the lines of src.
func NewConverter(src Source, opts Options) *Converter {
	src.ETag = strings.Trim(src.ETag, `"`)
	c := &Converter{
		src:     src,
		key:     ParseKey(src.Key),
		service: opts.ServiceName,
		now:     opts.Now,
		uid:     newUIDGen(src.Bucket, src.Key, src.ETag),
		attrs:   attrBuf{attrs: make([]attr, 0, 48), items: make([]string, 0, 8)},
	}
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

// LastError returns the error of the last Convert call that returned
// OutcomeParseError, or nil when the last call did not. Its message starts with the
// line number, and it wraps the *elblog.ParseError when there is one.
func (c *Converter) LastError() error { return c.err }

// Convert turns one line of the object into a log record appended to dst. lineNo is
// the line's 1-based number within the object: it goes into log.record.uid.
//
// A blank or control line appends nothing and returns OutcomeSkipped. The format is
// detected from the content of the first line that has an entry (the key's file name
// decides when the content is not recognized), and kept for the following lines. A line
// that does not parse is still appended, with the raw line as body, the observed
// time, no severity and an aws.elb.parse_error attribute; Convert then returns
// OutcomeParseError and LastError tells why.
func (c *Converter) Convert(dst plog.LogRecordSlice, lineNo int64, line []byte) Outcome {
	c.err = nil
	s := trimEOL(string(line))
	if elblog.IsControlLine(s) {
		return OutcomeSkipped
	}
	if c.format == elblog.FormatUnknown {
		c.format = elblog.Detect(s)
		if c.format == elblog.FormatUnknown {
			c.format = c.hint
		}
	}
	lr := dst.AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(c.now()))
	lr.Body().SetStr(s)

	var err error
	switch c.format {
	case elblog.FormatALBAccess:
		if err = elblog.ParseALBAccess(s, &c.alb); err == nil {
			c.setLB(c.alb.ELB)
			c.fillALBAccess(lr, &c.alb)
		}
	case elblog.FormatALBConnection:
		if err = elblog.ParseALBConnection(s, &c.conn); err == nil {
			c.fillALBConnection(lr, &c.conn)
		}
	case elblog.FormatNLBAccess:
		if err = elblog.ParseNLBAccess(s, &c.nlb); err == nil {
			c.setLB(c.nlb.ELB)
			c.fillNLBAccess(lr, &c.nlb)
		}
	case elblog.FormatCLBAccess:
		if err = elblog.ParseCLBAccess(s, &c.clb); err == nil {
			c.setLB(c.clb.ELB)
			c.fillCLBAccess(lr, &c.clb)
		}
	default:
		err = errUnknownFormat
	}
	if err != nil {
		c.err = &LineError{Line: lineNo, Err: err}
		c.attrs.reset()
		c.attrs.str(attrLogFormat, c.format.String())
		c.attrs.str(attrParseError, c.err.Error())
		c.attrs.str(attrLogRecordUID, c.recordUID(lineNo))
		c.attrs.flush(lr.Attributes())
		return OutcomeParseError
	}
	c.attrs.str(attrLogFormat, c.format.String())
	c.attrs.str(attrLogRecordUID, c.recordUID(lineNo))
	c.attrs.flush(lr.Attributes())
	return OutcomeRecord
}

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

// recordUID returns the log.record.uid of line lineNo.
func (c *Converter) recordUID(lineNo int64) string {
	c.uid.appendHex(c.uidBuf[:0], lineNo)
	return string(c.uidBuf[:])
}

// FillResource sets the resource attributes of the records: cloud.provider (aws),
// cloud.platform (aws_elb), cloud.region and cloud.account.id (from the key),
// cloud.resource_id (the load balancer's ARN, from the elb field of the first parsed
// line, else from the key; the bare ID when the key gives no Region or account),
// aws.s3.bucket, aws.s3.key, service.name, then Options.ResourceAttributes. Call it
// after converting the first lines, so that the load balancer is known.
func (c *Converter) FillResource(res pcommon.Resource) {
	a := res.Attributes()
	a.EnsureCapacity(8 + len(c.resAttrs))
	a.PutStr(resCloudProvider, "aws")
	a.PutStr(resCloudPlatform, "aws_elb")
	for _, kv := range [...][2]string{
		{resCloudRegion, c.key.Region},
		{resCloudAccountID, c.key.Account},
		{resCloudResourceID, c.resourceID()},
		{resS3Bucket, c.src.Bucket},
		{resS3Key, c.src.Key},
	} {
		if kv[1] != "" {
			a.PutStr(kv[0], kv[1])
		}
	}
	a.PutStr(resServiceName, c.service)
	for _, kv := range c.resAttrs {
		a.PutStr(kv[0], kv[1])
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

// FillScope sets the instrumentation scope of the records.
func FillScope(s pcommon.InstrumentationScope) {
	s.SetName(ScopeName)
	s.SetVersion(ScopeVersion)
}

// trimEOL removes a trailing line terminator.
func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
