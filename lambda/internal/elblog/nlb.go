package elblog

import "time"

// NLBAccess is one Network Load Balancer access log entry: one TLS connection to a
// TLS listener (TCP and UDP listeners are not logged).
//
// Doc: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html#access-log-entry-format
//
// Times are logged without fraction or zone and are UTC. tls_connection_creation_time
// (22) was added after the 2023 documentation; 21-field lines leave it zero.
type NLBAccess struct {
	Type                      string    // 1 type: listener type, always tls
	Version                   string    // 2 version: log entry version, 2.0
	Time                      time.Time // 3 time: end of the TLS connection, UTC
	ELB                       string    // 4 elb: load balancer resource ID, net/<name>/<id>
	Listener                  string    // 5 listener: TLS listener resource ID
	Client                    Addr      // 6 client:port: the client
	Destination               Addr      // 7 destination:port: the target (or the listener, without ALPN passthrough)
	ConnectionTime            Int       // 8 connection_time: duration of the connection, milliseconds
	TLSHandshakeTime          Int       // 9 tls_handshake_time: duration of the TLS handshake, milliseconds
	ReceivedBytes             Int       // 10 received_bytes: bytes received from the client after decryption
	SentBytes                 Int       // 11 sent_bytes: bytes sent to the client before encryption
	IncomingTLSAlert          string    // 12 incoming_tls_alert: integer value of a TLS alert from the client
	ChosenCertARN             string    // 13 chosen_cert_arn: ARN of the certificate served
	ChosenCertSerial          string    // 14 chosen_cert_serial: reserved, always -
	TLSCipher                 string    // 15 tls_cipher: cipher suite negotiated, OpenSSL name
	TLSProtocolVersion        string    // 16 tls_protocol_version: e.g. tlsv12
	TLSNamedGroup             string    // 17 tls_named_group: key exchange group, e.g. x25519
	DomainName                string    // 18 domain_name: SNI, URL-encoded
	ALPNFrontEndProtocol      string    // 19 alpn_fe_protocol: application protocol negotiated with the client
	ALPNBackEndProtocol       string    // 20 alpn_be_protocol: application protocol negotiated with the target
	ALPNClientPreferenceList  List      // 21 alpn_client_preference_list: client's ALPN list, quoted items, comma-separated
	TLSConnectionCreationTime time.Time // 22 tls_connection_creation_time: start of the TLS connection, UTC

	// Extra holds the fields after the last known one, as logged (AWS appends new
	// fields at the end of the line).
	Extra []string
	// Fields holds every field of the line, unquoted, in log order (Fields[0] is
	// field 1). It is reused by the next Parse call, as is Extra.
	Fields []string
}

// ParseNLBAccess parses an NLB access log line into r, reusing r's buffers. A line
// needs at least 21 fields; field 22 is read when present, and the fields after it
// are kept in r.Extra. The strings in r are substrings of line.
//
// It returns a *ParseError when the line is short, has an unclosed quote or holds
// a field that does not convert; r is then partly filled.
func ParseNLBAccess(line string, r *NLBAccess) error {
	p, err := tokenizeFields(&r.Fields, line, FormatNLBAccess)
	if err != nil {
		return err
	}
	r.Type = p.str(0)
	r.Version = p.str(1)
	r.Time = p.time(2, "time")
	r.ELB = p.str(3)
	r.Listener = p.str(4)
	r.Client = p.addr(5, "client:port")
	r.Destination = p.addr(6, "destination:port")
	r.ConnectionTime = p.int(7, "connection_time")
	r.TLSHandshakeTime = p.int(8, "tls_handshake_time")
	r.ReceivedBytes = p.int(9, "received_bytes")
	r.SentBytes = p.int(10, "sent_bytes")
	r.IncomingTLSAlert = p.str(11)
	r.ChosenCertARN = p.str(12)
	r.ChosenCertSerial = p.str(13)
	r.TLSCipher = p.str(14)
	r.TLSProtocolVersion = p.str(15)
	r.TLSNamedGroup = p.str(16)
	r.DomainName = p.str(17)
	r.ALPNFrontEndProtocol = p.str(18)
	r.ALPNBackEndProtocol = p.str(19)
	r.ALPNClientPreferenceList = p.list(20, ',')
	r.TLSConnectionCreationTime = time.Time{}
	if len(p.fields) > 21 {
		r.TLSConnectionCreationTime = p.time(21, "tls_connection_creation_time")
	}
	r.Extra = p.extra(nlbAccessFields)
	return p.result()
}
