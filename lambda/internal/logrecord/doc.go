// Package logrecord turns ELB log lines into OpenTelemetry log records, encoded as
// OTLP protobuf.
//
// A [Converter] handles the lines of one S3 object: it detects the format on the
// first line that has an entry, parses each line with package elblog, and
// [Converter.AppendProto] appends one log record per line, written straight from
// the parsed line into a byte buffer: no pdata objects and no allocations per line.
// [Converter.FinishRequest] adds the scope and the resource. [ParseKey] reads the
// account, the Region and the load balancer from the object's key.
//
// The package does not import pdata. Its tests do: their Convert (pdata_test.go)
// builds the same records as plog.LogRecords, the oracle whose MarshalProto bytes
// the encoder's must equal byte for byte (the tests also decode them with
// OpenTelemetry's own types); the pipeline ships the encoder's.
//
// # Record
//
//   - Timestamp: the entry's time (ALB: response generated; NLB: connection end; CLB:
//     request received; ALB connection log: the connection).
//   - ObservedTimestamp: Options.Now() when the line is converted, in whole seconds.
//   - Severity: from elb_status_code for ALB and CLB access logs: 5xx ERROR, 4xx WARN,
//     anything else (including none) INFO. NLB lines are INFO; ALB connection log
//     lines are WARN when tls_verify_status is Failed:*, else INFO.
//   - Body: the raw line, as a string.
//   - TraceID: from the X-Ray Root=1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy of the ALB
//     trace_id field, the 32 hex digits being the W3C trace ID.
//   - Attributes: typed (int, double, string, string array). A "-" field adds no
//     attribute. Every record has aws.elb.log.format (alb_access, alb_connection,
//     nlb_access, clb_access) and log.record.uid ("<16 hex digits>-<line>": an id of
//     bucket, key and ETag, then the line number; deterministic); fields after the known ones go into
//     aws.elb.unparsed_fields (string array). Bytes that are not UTF-8 (which
//     would make a receiver reject the whole protobuf request) are replaced with
//     U+FFFD, and the record gets aws.elb.encoding_error.
//
// A line that does not parse is still appended: raw body, observed time, no time and
// no severity, and the attributes aws.elb.log.format, aws.elb.parse_error (the message,
// starting with "line N: ") and log.record.uid.
//
// # Attributes
//
// Semantic-convention names come first; the aws.elb.* names are those of the
// OpenTelemetry Collector contrib ELB parser (awslogsencodingextension) where it has
// one. The names it does not have are marked (ours).
//
// ALB access log:
//
//	type                      aws.elb.type (ours)                  string
//	client:port               client.address, client.port          string, int
//	target:port               destination.address, destination.port string, int
//	request_processing_time   aws.elb.request_processing_time      double, seconds (-1 kept)
//	target_processing_time    aws.elb.target_processing_time       double, seconds (-1 kept)
//	response_processing_time  aws.elb.response_processing_time     double, seconds (-1 kept)
//	elb_status_code           http.response.status_code, aws.elb.status.code  int
//	target_status_code        aws.elb.backend.status.code          int
//	received_bytes            http.request.size                    int
//	sent_bytes                http.response.size                   int
//	request                   http.request.method, url.full, url.scheme, server.address,
//	                          server.port (int), url.path, url.query,
//	                          network.protocol.name (http), network.protocol.version (1.1, 2)
//	user_agent                user_agent.original                  string
//	ssl_cipher                tls.cipher                           string
//	ssl_protocol              tls.protocol.name (tls), tls.protocol.version (1.2)
//	target_group_arn          aws.elb.target_group_arn             string
//	trace_id                  aws.elb.aws_trace_id                 string (and the record's trace ID)
//	domain_name               tls.server.name                      string (contrib: url.domain)
//	chosen_cert_arn           aws.elb.chosen_cert_arn              string
//	matched_rule_priority     aws.elb.matched_rule_priority (ours) int
//	request_creation_time     aws.elb.request_creation_time (ours) string, as logged
//	actions_executed          aws.elb.actions_executed             string array
//	redirect_url              aws.elb.redirect_url                 string
//	error_reason              aws.elb.error_reason                 string
//	target:port_list          aws.elb.target_port_list (ours)      string array
//	target_status_code_list   aws.elb.target_status_code_list (ours) string array
//	classification            aws.elb.classification               string
//	classification_reason     aws.elb.classification_reason        string
//	conn_trace_id             aws.elb.connection_trace_id          string
//	transformed_host          aws.elb.transformed_host             string
//	transformed_uri           aws.elb.transformed_uri              string
//	request_transform_status  aws.elb.request_transform_status     string
//
// ALB connection log:
//
//	client_ip, client_port    client.address, client.port          string, int
//	listener_port             server.port                          int
//	tls_protocol              tls.protocol.name, tls.protocol.version
//	tls_cipher                tls.cipher                           string
//	tls_handshake_latency     aws.elb.tls_handshake_latency (ours) double, as logged
//	leaf_client_cert_subject  tls.client.subject                   string
//	leaf_client_cert_validity aws.elb.leaf_client_cert_validity (ours) string
//	leaf_client_cert_serial_number aws.elb.leaf_client_cert_serial_number (ours) string
//	tls_verify_status         aws.elb.tls_verify_status (ours)     string
//	conn_trace_id             aws.elb.connection_trace_id          string
//
// NLB access log:
//
//	type                      aws.elb.type (ours)                  string (tls)
//	version                   aws.elb.log.version (ours)           string (2.0; not network.protocol.version)
//	listener                  aws.elb.tls.listener.resource_id     string
//	client:port               client.address, client.port          string, int
//	destination:port          destination.address, destination.port string, int
//	connection_time           aws.elb.connection_time              int, milliseconds
//	tls_handshake_time        aws.elb.tls_handshake_time           int, milliseconds (absent when -)
//	received_bytes            http.request.size                    int (bytes from the client, as contrib)
//	sent_bytes                http.response.size                   int (bytes to the client, as contrib)
//	incoming_tls_alert        aws.elb.incoming_tls_alert           string
//	chosen_cert_arn           aws.elb.chosen_cert_arn              string
//	chosen_cert_serial        aws.elb.chosen_cert_serial           string
//	tls_cipher                tls.cipher                           string
//	tls_protocol_version      tls.protocol.name (tls), tls.protocol.version (tlsv12 -> 1.2)
//	tls_named_group           aws.elb.tls.named_group              string
//	domain_name               tls.server.name                      string, URL-encoded as logged
//	alpn_fe_protocol          tls.next_protocol                    string (contrib: aws.elb.alpn_fe_protocol)
//	alpn_be_protocol          aws.elb.alpn_be_protocol             string
//	alpn_client_preference_list aws.elb.alpn_client_preference_list string array
//	tls_connection_creation_time aws.elb.tls_connection_creation_time string, as logged
//
// CLB access log: as the ALB access log for client:port, the status codes, the sizes,
// request, user_agent, ssl_cipher and ssl_protocol; backend:port is
// destination.address and destination.port; backend_status_code is
// aws.elb.backend.status.code; the three processing times are
// aws.elb.request_processing_time, aws.elb.target_processing_time (from
// backend_processing_time, so that one name covers ALB and CLB) and
// aws.elb.response_processing_time.
//
// # Resource
//
// cloud.provider (aws), cloud.platform (aws_elb), cloud.region, cloud.account.id,
// cloud.resource_id (the load balancer's ARN), aws.s3.bucket, aws.s3.key,
// service.name (default elb), then Options.ResourceAttributes.
package logrecord
