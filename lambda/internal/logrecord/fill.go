package logrecord

import (
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
)

// Field indexes (0-based) of the time fields kept as logged.
const (
	albRequestCreationTimeField       = 21
	nlbTLSConnectionCreationTimeField = 21
)

func (c *Converter) fillALBAccess(r *elblog.ALBAccess) {
	h := &c.head
	h.setTime(r.Time)
	h.setSeverityFromStatus(r.ELBStatusCode)
	h.setTraceID(r.TraceID)

	a := &c.attrs
	a.reset()
	a.httpAccess(r.Client, &r.Request, r.ELBStatusCode, r.ReceivedBytes, r.SentBytes, r.UserAgent, r.SSLProtocol, r.SSLCipher)
	a.str(attrTLSServerName, r.DomainName)
	a.addr(attrDestinationAddress, attrDestinationPort, r.Target)

	a.str(attrType, r.Type)
	a.int(attrStatusCode, r.ELBStatusCode)
	a.int(attrBackendStatusCode, r.TargetStatusCode)
	a.float(attrRequestProcessingTime, r.RequestProcessingTime)
	a.float(attrTargetProcessingTime, r.TargetProcessingTime)
	a.float(attrResponseProcessingTime, r.ResponseProcessingTime)
	a.str(attrTargetGroupARN, r.TargetGroupARN)
	a.str(attrAWSTraceID, r.TraceID)
	a.str(attrChosenCertARN, r.ChosenCertARN)
	a.int(attrMatchedRulePriority, r.MatchedRulePriority)
	if !r.RequestCreationTime.IsZero() {
		a.str(attrRequestCreationTime, r.Fields[albRequestCreationTimeField])
	}
	a.list(attrActionsExecuted, r.ActionsExecuted)
	a.str(attrRedirectURL, r.RedirectURL)
	a.str(attrErrorReason, r.ErrorReason)
	a.list(attrTargetPortList, r.TargetPortList)
	a.list(attrTargetStatusCodeList, r.TargetStatusCodeList)
	a.str(attrClassification, r.Classification)
	a.str(attrClassificationReason, r.ClassificationReason)
	a.str(attrConnectionTraceID, r.ConnTraceID)
	a.str(attrTransformedHost, r.TransformedHost)
	a.str(attrTransformedURI, r.TransformedURI)
	a.str(attrRequestTransformStatus, r.RequestTransformStatus)
	a.strings(attrUnparsedFields, r.Extra)
}

func (c *Converter) fillALBConnection(r *elblog.ALBConnection) {
	h := &c.head
	h.setTime(r.Time)
	if strings.HasPrefix(r.TLSVerifyStatus, "Failed") {
		h.setSeverity(severityWarn, "WARN")
	} else {
		h.setSeverity(severityInfo, "INFO")
	}

	a := &c.attrs
	a.reset()
	a.str(attrClientAddress, r.ClientIP)
	if r.ClientIP != "" {
		a.int64(attrClientPort, int64(r.ClientPort))
	}
	if r.ListenerPort != 0 {
		a.int64(attrServerPort, int64(r.ListenerPort))
	}
	a.tlsProtocol(r.TLSProtocol)
	a.str(attrTLSCipher, r.TLSCipher)
	a.str(attrTLSClientSubject, r.LeafClientCertSubject)

	a.float(attrTLSHandshakeLatency, r.TLSHandshakeLatency)
	a.str(attrLeafClientCertValidity, r.LeafClientCertValidity)
	a.str(attrLeafClientCertSerial, r.LeafClientCertSerialNumber)
	a.str(attrTLSVerifyStatus, r.TLSVerifyStatus)
	a.str(attrConnectionTraceID, r.ConnTraceID)
	a.strings(attrUnparsedFields, r.Extra)
}

func (c *Converter) fillNLBAccess(r *elblog.NLBAccess) {
	h := &c.head
	h.setTime(r.Time)
	h.setSeverity(severityInfo, "INFO")

	a := &c.attrs
	a.reset()
	a.addr(attrClientAddress, attrClientPort, r.Client)
	a.int(attrHTTPRequestSize, r.ReceivedBytes)
	a.int(attrHTTPResponseSize, r.SentBytes)
	a.tlsProtocol(r.TLSProtocolVersion)
	a.str(attrTLSCipher, r.TLSCipher)
	a.str(attrTLSServerName, r.DomainName)
	a.str(attrTLSNextProtocol, r.ALPNFrontEndProtocol)
	a.addr(attrDestinationAddress, attrDestinationPort, r.Destination)

	a.str(attrType, r.Type)
	a.str(attrLogVersion, r.Version)
	a.str(attrListener, r.Listener)
	a.int(attrConnectionTime, r.ConnectionTime)
	a.int(attrTLSHandshakeTime, r.TLSHandshakeTime)
	a.str(attrIncomingTLSAlert, r.IncomingTLSAlert)
	a.str(attrChosenCertARN, r.ChosenCertARN)
	a.str(attrChosenCertSerial, r.ChosenCertSerial)
	a.str(attrTLSNamedGroup, r.TLSNamedGroup)
	a.str(attrALPNBackEndProtocol, r.ALPNBackEndProtocol)
	a.list(attrALPNClientPreference, r.ALPNClientPreferenceList)
	if !r.TLSConnectionCreationTime.IsZero() {
		a.str(attrTLSConnCreationTime, r.Fields[nlbTLSConnectionCreationTimeField])
	}
	a.strings(attrUnparsedFields, r.Extra)
}

func (c *Converter) fillCLBAccess(r *elblog.CLBAccess) {
	h := &c.head
	h.setTime(r.Time)
	h.setSeverityFromStatus(r.ELBStatusCode)

	a := &c.attrs
	a.reset()
	a.httpAccess(r.Client, &r.Request, r.ELBStatusCode, r.ReceivedBytes, r.SentBytes, r.UserAgent, r.SSLProtocol, r.SSLCipher)
	a.addr(attrDestinationAddress, attrDestinationPort, r.Backend)

	a.int(attrStatusCode, r.ELBStatusCode)
	a.int(attrBackendStatusCode, r.BackendStatusCode)
	a.float(attrRequestProcessingTime, r.RequestProcessingTime)
	a.float(attrTargetProcessingTime, r.BackendProcessingTime)
	a.float(attrResponseProcessingTime, r.ResponseProcessingTime)
	a.strings(attrUnparsedFields, r.Extra)
}

func (h *recordHead) setTime(t time.Time) {
	if !t.IsZero() {
		h.time = unixNano(t)
	}
}

func (h *recordHead) setSeverity(n int32, text string) {
	h.severity = n
	h.sevText = text
}

// setSeverityFromStatus sets ERROR for a 5xx status code, WARN for 4xx, else INFO.
func (h *recordHead) setSeverityFromStatus(status elblog.Int) {
	switch {
	case status.Valid && status.Value >= 500:
		h.setSeverity(severityError, "ERROR")
	case status.Valid && status.Value >= 400:
		h.setSeverity(severityWarn, "WARN")
	default:
		h.setSeverity(severityInfo, "INFO")
	}
}

// setTraceID sets the record's trace ID from an X-Amzn-Trace-Id value holding
// Root=1-<8 hex digits>-<24 hex digits>: the 32 digits are the W3C trace ID.
func (h *recordHead) setTraceID(header string) {
	if id, ok := parseXRayRoot(header); ok {
		h.traceID = id
	}
}

// parseXRayRoot finds Root=1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy in an X-Amzn-Trace-Id
// value (its fields are separated by semicolons) and returns it as a trace ID. An
// all-zero ID is not valid.
func parseXRayRoot(h string) ([16]byte, bool) {
	var id [16]byte
	i := strings.Index(h, "Root=1-")
	for i > 0 && h[i-1] != ';' && h[i-1] != ' ' {
		j := strings.Index(h[i+1:], "Root=1-")
		if j < 0 {
			return id, false
		}
		i += 1 + j
	}
	if i < 0 {
		return id, false
	}
	v := h[i+len("Root=1-"):]
	if len(v) < 33 || v[8] != '-' || (len(v) > 33 && v[33] != ';') {
		return id, false
	}
	var nonzero byte
	for k := 0; k < 16; k++ {
		// Bytes 0-3 come from the 8 epoch digits, 4-15 from the 24 random digits.
		p := 2 * k
		if k >= 4 {
			p++ // skip the '-'
		}
		hi, ok1 := unhex(v[p])
		lo, ok2 := unhex(v[p+1])
		if !ok1 || !ok2 {
			return id, false
		}
		id[k] = hi<<4 | lo
		nonzero |= id[k]
	}
	return id, nonzero != 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// splitHTTPProto splits HTTP/1.1 into http and 1.1. The semantic conventions write
// HTTP/2 and HTTP/3 as versions 2 and 3, which ALB logs as HTTP/2.0 and HTTP/3.0.
func splitHTTPProto(p string) (name, version string, ok bool) {
	switch p {
	case "HTTP/1.1":
		return "http", "1.1", true
	case "HTTP/2.0", "HTTP/2":
		return "http", "2", true
	case "HTTP/1.0":
		return "http", "1.0", true
	case "HTTP/3.0", "HTTP/3":
		return "http", "3", true
	case "":
		return "", "", false
	}
	n, v, ok := strings.Cut(p, "/")
	if !ok || n == "" || v == "" {
		return "", "", false
	}
	return strings.ToLower(n), v, true
}

func splitTLSProtocol(p string) (name, version string) {
	switch p {
	case "TLSv1.2", "tlsv12":
		return "tls", "1.2"
	case "TLSv1.3", "tlsv13":
		return "tls", "1.3"
	case "TLSv1.1", "tlsv11":
		return "tls", "1.1"
	case "TLSv1", "TLSv1.0", "tlsv10", "tlsv1":
		return "tls", "1.0"
	case "SSLv3", "sslv3":
		return "ssl", "3"
	}
	// Another form: letters, an optional v, then the version.
	i := 0
	for i < len(p) && (p[i]|0x20 >= 'a' && p[i]|0x20 <= 'z') && p[i]|0x20 != 'v' {
		i++
	}
	name = strings.ToLower(p[:i])
	version = p[i:]
	if version != "" && version[0]|0x20 == 'v' {
		version = version[1:]
	}
	return name, version
}

// httpAccess adds the semantic-convention attributes ALB and Classic access
// log lines share, in the order both records carry them: client, request,
// status, sizes, user agent and TLS.
func (b *attrBuf) httpAccess(client elblog.Addr, req *elblog.Request, status, received, sent elblog.Int, userAgent, sslProtocol, sslCipher string) {
	b.addr(attrClientAddress, attrClientPort, client)
	b.request(req)
	b.int(attrHTTPStatusCode, status)
	b.int(attrHTTPRequestSize, received)
	b.int(attrHTTPResponseSize, sent)
	b.str(attrUserAgent, userAgent)
	b.tlsProtocol(sslProtocol)
	b.str(attrTLSCipher, sslCipher)
}
