package logrecord

// Attribute names. Semantic-convention names first; the aws.elb.* names are those
// of the OpenTelemetry Collector contrib ELB access log parser
// (awslogsencodingextension) where it has one, and follow its style where it has
// none (marked "ours").
const (
	// Semantic conventions.
	attrClientAddress      = "client.address"
	attrClientPort         = "client.port"
	attrServerAddress      = "server.address"
	attrServerPort         = "server.port"
	attrDestinationAddress = "destination.address"
	attrDestinationPort    = "destination.port"
	attrHTTPMethod         = "http.request.method"
	attrHTTPStatusCode     = "http.response.status_code"
	attrHTTPRequestSize    = "http.request.size"
	attrHTTPResponseSize   = "http.response.size"
	attrURLFull            = "url.full"
	attrURLScheme          = "url.scheme"
	attrURLPath            = "url.path"
	attrURLQuery           = "url.query"
	attrProtocolName       = "network.protocol.name"
	attrProtocolVersion    = "network.protocol.version"
	attrUserAgent          = "user_agent.original"
	attrTLSProtocolName    = "tls.protocol.name"
	attrTLSProtocolVersion = "tls.protocol.version"
	attrTLSCipher          = "tls.cipher"
	attrTLSServerName      = "tls.server.name"   // SNI (contrib: url.domain)
	attrTLSNextProtocol    = "tls.next_protocol" // ALPN protocol negotiated with the client (contrib: aws.elb.alpn_fe_protocol)
	attrTLSClientSubject   = "tls.client.subject"
	attrLogRecordUID       = "log.record.uid"

	// Collector contrib names.
	attrStatusCode             = "aws.elb.status.code"
	attrBackendStatusCode      = "aws.elb.backend.status.code"
	attrRequestProcessingTime  = "aws.elb.request_processing_time"
	attrTargetProcessingTime   = "aws.elb.target_processing_time"
	attrResponseProcessingTime = "aws.elb.response_processing_time"
	attrAWSTraceID             = "aws.elb.aws_trace_id"
	attrTargetGroupARN         = "aws.elb.target_group_arn"
	attrChosenCertARN          = "aws.elb.chosen_cert_arn"
	attrActionsExecuted        = "aws.elb.actions_executed"
	attrRedirectURL            = "aws.elb.redirect_url"
	attrErrorReason            = "aws.elb.error_reason"
	attrClassification         = "aws.elb.classification"
	attrClassificationReason   = "aws.elb.classification_reason"
	attrConnectionTraceID      = "aws.elb.connection_trace_id"
	attrTransformedHost        = "aws.elb.transformed_host"
	attrTransformedURI         = "aws.elb.transformed_uri"
	attrRequestTransformStatus = "aws.elb.request_transform_status"
	attrListener               = "aws.elb.tls.listener.resource_id"
	attrConnectionTime         = "aws.elb.connection_time"
	attrTLSHandshakeTime       = "aws.elb.tls_handshake_time"
	attrTLSConnCreationTime    = "aws.elb.tls_connection_creation_time"
	attrIncomingTLSAlert       = "aws.elb.incoming_tls_alert"
	attrChosenCertSerial       = "aws.elb.chosen_cert_serial"
	attrTLSNamedGroup          = "aws.elb.tls.named_group"
	attrALPNBackEndProtocol    = "aws.elb.alpn_be_protocol"
	attrALPNClientPreference   = "aws.elb.alpn_client_preference_list"

	// Ours.
	attrLogFormat              = "aws.elb.log.format"
	attrLogVersion             = "aws.elb.log.version"
	attrParseError             = "aws.elb.parse_error"
	attrEncodingError          = "aws.elb.encoding_error"
	attrUnparsedFields         = "aws.elb.unparsed_fields"
	attrType                   = "aws.elb.type"
	attrMatchedRulePriority    = "aws.elb.matched_rule_priority"
	attrRequestCreationTime    = "aws.elb.request_creation_time"
	attrTargetPortList         = "aws.elb.target_port_list"
	attrTargetStatusCodeList   = "aws.elb.target_status_code_list"
	attrTLSHandshakeLatency    = "aws.elb.tls_handshake_latency"
	attrLeafClientCertValidity = "aws.elb.leaf_client_cert_validity"
	attrLeafClientCertSerial   = "aws.elb.leaf_client_cert_serial_number"
	attrTLSVerifyStatus        = "aws.elb.tls_verify_status"
)

// Resource attribute names.
const (
	resCloudProvider   = "cloud.provider"
	resCloudPlatform   = "cloud.platform"
	resCloudRegion     = "cloud.region"
	resCloudAccountID  = "cloud.account.id"
	resCloudResourceID = "cloud.resource_id"
	resS3Bucket        = "aws.s3.bucket"
	resS3Key           = "aws.s3.key"
	resServiceName     = "service.name"
)
