package elblog

import "time"

// ALBAccess is one Application Load Balancer access log entry.
//
// Doc: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-format
//
// Fields 1 to 29 are in every line; conn_trace_id (30) was added in 2024 and the
// transform fields (31 to 33) in 2025, and are empty when the line lacks them.
type ALBAccess struct {
	Type                   string    // 1 type: request or connection type: http, https, h2, grpcs, ws, wss
	Time                   time.Time // 2 time: when the response was generated (WebSockets: connection close), UTC
	ELB                    string    // 3 elb: load balancer resource ID, app/<name>/<id>
	Client                 Addr      // 4 client:port: the requesting client
	Target                 Addr      // 5 target:port: zero when not dispatched, a Lambda target, or blocked by WAF
	RequestProcessingTime  Float     // 6 request_processing_time: seconds; -1 when not dispatched or timed out
	TargetProcessingTime   Float     // 7 target_processing_time: seconds; -1 when not dispatched or timed out
	ResponseProcessingTime Float     // 8 response_processing_time: seconds; -1 when not dispatched or timed out
	ELBStatusCode          Int       // 9 elb_status_code: status code of the response from the load balancer
	TargetStatusCode       Int       // 10 target_status_code: status code of the response from the target
	ReceivedBytes          Int       // 11 received_bytes: request size from the client, headers included
	SentBytes              Int       // 12 sent_bytes: response size to the client, headers included
	Request                Request   // 13 request: "METHOD URL PROTO" as the client sent it
	UserAgent              string    // 14 user_agent: User-Agent header, truncated to 8 KB
	SSLCipher              string    // 15 ssl_cipher: TLS cipher (HTTPS listeners)
	SSLProtocol            string    // 16 ssl_protocol: TLS protocol, e.g. TLSv1.2 (HTTPS listeners)
	TargetGroupARN         string    // 17 target_group_arn: ARN of the target group
	TraceID                string    // 18 trace_id: X-Amzn-Trace-Id header, e.g. Root=1-58337262-36d228ad5d99923122bbe354
	DomainName             string    // 19 domain_name: SNI domain the client sent in the TLS handshake
	ChosenCertARN          string    // 20 chosen_cert_arn: ARN of the certificate presented, or session-reused
	MatchedRulePriority    Int       // 21 matched_rule_priority: priority of the rule that matched; 0 default action, -1 rule-evaluation error
	RequestCreationTime    time.Time // 22 request_creation_time: when the load balancer received the request, UTC
	ActionsExecuted        List      // 23 actions_executed: comma-separated, e.g. authenticate,forward
	RedirectURL            string    // 24 redirect_url: Location header of a redirect action
	ErrorReason            string    // 25 error_reason: error reason code, e.g. LambdaInvalidResponse
	TargetPortList         List      // 26 target:port_list: space-separated ip:port of the targets that processed the request
	TargetStatusCodeList   List      // 27 target_status_code_list: space-separated status codes from those targets
	Classification         string    // 28 classification: desync mitigation classification: Acceptable, Ambiguous, Severe
	ClassificationReason   string    // 29 classification_reason: reason code, e.g. SpaceInUri
	ConnTraceID            string    // 30 conn_trace_id: TID_<hex>, joins the connection log
	TransformedHost        string    // 31 transformed_host: host header after a transform
	TransformedURI         string    // 32 transformed_uri: URI after a transform
	RequestTransformStatus string    // 33 request_transform_status: status of the transform

	// Extra holds the fields after the last known one, as logged (AWS appends new
	// fields at the end of the line).
	Extra []string
	// Fields holds every field of the line, unquoted, in log order (Fields[0] is
	// field 1). It is reused by the next Parse call, as is Extra.
	Fields []string
}

// ParseALBAccess parses an ALB access log line into r, reusing r's buffers. A line
// needs at least 29 fields; fields 30 to 33 are read when present, and the fields
// after them are kept in r.Extra. The strings in r are substrings of line.
//
// It returns a *ParseError when the line is short, has an unclosed quote or holds
// a field that does not convert; r is then partly filled.
func ParseALBAccess(line string, r *ALBAccess) error {
	p, err := tokenizeFields(&r.Fields, line, FormatALBAccess)
	if err != nil {
		return err
	}
	f := p.fields
	r.Type = p.str(0)
	r.Time = p.time(1, "time")
	r.ELB = p.str(2)
	r.Client = p.addr(3, "client:port")
	r.Target = p.addr(4, "target:port")
	r.RequestProcessingTime = p.float(5, "request_processing_time")
	r.TargetProcessingTime = p.float(6, "target_processing_time")
	r.ResponseProcessingTime = p.float(7, "response_processing_time")
	r.ELBStatusCode = p.int(8, "elb_status_code")
	r.TargetStatusCode = p.int(9, "target_status_code")
	r.ReceivedBytes = p.int(10, "received_bytes")
	r.SentBytes = p.int(11, "sent_bytes")
	r.Request = parseRequest(f[12])
	r.UserAgent = p.str(13)
	r.SSLCipher = p.str(14)
	r.SSLProtocol = p.str(15)
	r.TargetGroupARN = p.str(16)
	r.TraceID = p.str(17)
	r.DomainName = p.str(18)
	r.ChosenCertARN = p.str(19)
	r.MatchedRulePriority = p.int(20, "matched_rule_priority")
	r.RequestCreationTime = p.time(21, "request_creation_time")
	r.ActionsExecuted = p.list(22, ',')
	r.RedirectURL = p.str(23)
	r.ErrorReason = p.str(24)
	r.TargetPortList = p.list(25, ' ')
	r.TargetStatusCodeList = p.list(26, ' ')
	r.Classification = p.str(27)
	r.ClassificationReason = p.str(28)
	r.ConnTraceID = p.optStr(29)
	r.TransformedHost = p.optStr(30)
	r.TransformedURI = p.optStr(31)
	r.RequestTransformStatus = p.optStr(32)
	r.Extra = p.extra(albAccessFields)
	return p.result()
}
