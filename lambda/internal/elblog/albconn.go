package elblog

import "time"

// ALBConnection is one Application Load Balancer connection log entry: one TLS
// connection (handshake) to a listener.
//
// Doc: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html#connection-log-entry-format
//
// Unlike the access log, the client IP and port are separate fields, and only the
// client certificate subject is quoted.
type ALBConnection struct {
	Time                       time.Time // 1 timestamp: when the connection was established or failed, UTC
	ClientIP                   string    // 2 client_ip: IP address of the client
	ClientPort                 int       // 3 client_port: port of the client
	ListenerPort               int       // 4 listener_port: port of the listener that received the connection
	TLSProtocol                string    // 5 tls_protocol: TLS protocol negotiated, e.g. TLSv1.2
	TLSCipher                  string    // 6 tls_cipher: TLS cipher negotiated
	TLSHandshakeLatency        Float     // 7 tls_handshake_latency: duration of the TLS handshake, as logged
	LeafClientCertSubject      string    // 8 leaf_client_cert_subject: subject of the client's leaf certificate
	LeafClientCertValidity     string    // 9 leaf_client_cert_validity: validity (not before, not after) of that certificate
	LeafClientCertSerialNumber string    // 10 leaf_client_cert_serial_number: serial number of that certificate
	TLSVerifyStatus            string    // 11 tls_verify_status: Success, or Failed:<reason>
	ConnTraceID                string    // 12 conn_trace_id: TID_<hex>, joins the access log

	// Extra holds the fields after the last known one, as logged (AWS appends new
	// fields at the end of the line).
	Extra []string
	// Fields holds every field of the line, unquoted, in log order (Fields[0] is
	// field 1). It is reused by the next Parse call, as is Extra.
	Fields []string
}

// ParseALBConnection parses an ALB connection log line into r, reusing r's buffers.
// A line needs at least 12 fields; the fields after them are kept in r.Extra. The
// strings in r are substrings of line.
//
// It returns a *ParseError when the line is short, has an unclosed quote or holds
// a field that does not convert; r is then partly filled.
func ParseALBConnection(line string, r *ALBConnection) error {
	p, err := tokenizeFields(&r.Fields, line, FormatALBConnection)
	if err != nil {
		return err
	}
	r.Time = p.time(0, "timestamp")
	r.ClientIP = p.str(1)
	r.ClientPort = p.port(2, "client_port")
	r.ListenerPort = p.port(3, "listener_port")
	r.TLSProtocol = p.str(4)
	r.TLSCipher = p.str(5)
	r.TLSHandshakeLatency = p.float(6, "tls_handshake_latency")
	r.LeafClientCertSubject = p.str(7)
	r.LeafClientCertValidity = p.str(8)
	r.LeafClientCertSerialNumber = p.str(9)
	r.TLSVerifyStatus = p.str(10)
	r.ConnTraceID = p.str(11)
	r.Extra = p.extra(albConnectionFields)
	return p.result()
}
