package elblog

import "time"

// CLBAccess is one Classic Load Balancer access log entry.
//
// Doc: https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html#access-log-entry-format
//
// There is no type field: the line starts with the time. TCP and SSL listeners log
// "-" status codes and the request "- - - ".
type CLBAccess struct {
	Time                   time.Time // 1 time: when the load balancer received the request, UTC
	ELB                    string    // 2 elb: load balancer name (not a resource ID)
	Client                 Addr      // 3 client:port: the requesting client
	Backend                Addr      // 4 backend:port: the instance that processed the request; zero when none
	RequestProcessingTime  Float     // 5 request_processing_time: seconds; -1 when not dispatched or timed out
	BackendProcessingTime  Float     // 6 backend_processing_time: seconds; -1 when not dispatched or timed out
	ResponseProcessingTime Float     // 7 response_processing_time: seconds; -1 when not dispatched or timed out
	ELBStatusCode          Int       // 8 elb_status_code: status code of the response from the load balancer (HTTP listeners)
	BackendStatusCode      Int       // 9 backend_status_code: status code of the response from the instance (HTTP listeners)
	ReceivedBytes          Int       // 10 received_bytes: request size from the client (HTTP: body only)
	SentBytes              Int       // 11 sent_bytes: response size to the client (HTTP: body only)
	Request                Request   // 12 request: "METHOD URL PROTO"; "- - - " for TCP and SSL listeners
	UserAgent              string    // 13 user_agent: User-Agent header (HTTP listeners)
	SSLCipher              string    // 14 ssl_cipher: TLS cipher (HTTPS and SSL listeners)
	SSLProtocol            string    // 15 ssl_protocol: TLS protocol, e.g. TLSv1.2 (HTTPS and SSL listeners)

	// Extra holds the fields after the last known one, as logged.
	Extra []string
	// Fields holds every field of the line, unquoted, in log order (Fields[0] is
	// field 1). It is reused by the next Parse call, as is Extra.
	Fields []string
}

// ParseCLBAccess parses a CLB access log line into r, reusing r's buffers. A line
// needs at least 15 fields; the fields after them are kept in r.Extra. The strings in
// r are substrings of line.
//
// It returns a *ParseError when the line is short, has an unclosed quote or holds
// a field that does not convert; r is then partly filled.
func ParseCLBAccess(line string, r *CLBAccess) error {
	p, err := tokenizeFields(&r.Fields, line, FormatCLBAccess)
	if err != nil {
		return err
	}
	r.Time = p.time(0, "time")
	r.ELB = p.str(1)
	r.Client = p.addr(2, "client:port")
	r.Backend = p.addr(3, "backend:port")
	r.RequestProcessingTime = p.float(4, "request_processing_time")
	r.BackendProcessingTime = p.float(5, "backend_processing_time")
	r.ResponseProcessingTime = p.float(6, "response_processing_time")
	r.ELBStatusCode = p.int(7, "elb_status_code")
	r.BackendStatusCode = p.int(8, "backend_status_code")
	r.ReceivedBytes = p.int(9, "received_bytes")
	r.SentBytes = p.int(10, "sent_bytes")
	r.Request = parseRequest(p.fields[11])
	r.UserAgent = p.str(12)
	r.SSLCipher = p.str(13)
	r.SSLProtocol = p.str(14)
	r.Extra = p.extra(clbAccessFields)
	return p.result()
}
