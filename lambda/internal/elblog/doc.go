// Package elblog parses Elastic Load Balancing log lines: Application Load Balancer
// access and connection logs, Network Load Balancer (TLS) access logs and Classic
// Load Balancer access logs.
//
// The package knows the log formats and nothing else: it never imports OTLP types.
// Mapping a parsed line onto an OpenTelemetry log record is the job of package
// logrecord.
//
// # Tokenizing
//
// One hand-written tokenizer serves every format. Fields are separated by spaces;
// a field is either unquoted (up to the next space) or quoted ("..." with \" and
// \\ escapes). A field that starts with a quoted segment and continues past the
// closing quote, such as the NLB alpn_client_preference_list "h2","http/1.1", is
// one field and is kept as logged. Field values are substrings of the input line
// (no copy); only a quoted field holding an escape allocates.
//
// # Records
//
// Each format has a record type with one field per column, in log order
// ([ALBAccess], [ALBConnection], [NLBAccess], [CLBAccess]). A Parse function fills
// a caller-owned record, reusing its buffers, so that parsing a stream of lines
// does not allocate. Conventions shared by every record:
//
//   - "-" means absent: an empty string, an [Int] or [Float] with Valid false, a
//     zero [Addr], a zero [List] or a zero time.Time.
//   - -1 processing times ("not dispatched" or timeout) are kept as the value -1.
//   - Fields AWS appends after the known ones are kept, raw, in Extra; a line with
//     fewer fields than a format's minimum is a *[ParseError].
//   - A field that does not convert (a bad integer, time or port) makes Parse return
//     a *[ParseError]; the caller still has the raw line.
//
// # Detecting the format
//
// [Detect] decides by content: the first field names the ALB request type (http,
// https, h2, grpcs, ws, wss) or the NLB listener type (tls); a line that starts with
// a timestamp is a CLB access log line when field 3 is ip:port, and an ALB
// connection log line when field 2 is a bare IP and field 3 a port.
// [IsControlLine] reports the blank lines and the control line ELB writes when
// logging is enabled, which carry no entry.
package elblog
