package elblog

import "strings"

// Format is an ELB log format.
type Format uint8

// The log formats this package parses.
const (
	FormatUnknown       Format = iota // not recognized
	FormatALBAccess                   // Application Load Balancer access log
	FormatALBConnection               // Application Load Balancer connection log
	FormatNLBAccess                   // Network Load Balancer (TLS listener) access log
	FormatCLBAccess                   // Classic Load Balancer access log
)

// String returns the format's name: "unknown", "alb_access", "alb_connection",
// "nlb_access" or "clb_access".
func (f Format) String() string {
	switch f {
	case FormatALBAccess:
		return "alb_access"
	case FormatALBConnection:
		return "alb_connection"
	case FormatNLBAccess:
		return "nlb_access"
	case FormatCLBAccess:
		return "clb_access"
	default:
		return "unknown"
	}
}

// IsControlLine reports whether line carries no log entry: it is blank, or it is a
// control line ELB writes when logging is enabled (its first field starts with
// "Enable").
func IsControlLine(line string) bool {
	line = trimLine(line)
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) {
		return true
	}
	return strings.HasPrefix(line[i:], "Enable")
}

// Detect returns the format of line, decided by its content, or FormatUnknown.
// Control lines are FormatUnknown.
//
// The first field decides: http, https, h2, grpcs, ws and wss are ALB access log
// request types; tls is the NLB access log type. A line that starts with a timestamp
// is a CLB access log line when its field 3 is ip:port, and an ALB connection log
// line when its field 2 is a bare IP address and its field 3 a port number.
func Detect(line string) Format {
	if IsControlLine(line) {
		return FormatUnknown
	}
	first, rest := nextPlainField(trimLine(line))
	switch first {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return FormatALBAccess
	case "tls":
		return FormatNLBAccess
	}
	if !looksLikeTimestamp(first) {
		return FormatUnknown
	}
	second, rest := nextPlainField(rest)
	third, _ := nextPlainField(rest)
	switch {
	case isIPPort(third):
		return FormatCLBAccess
	case isBareIP(second) && isPort(third):
		return FormatALBConnection
	}
	return FormatUnknown
}

// nextPlainField returns the first space-separated field of s (quotes not
// interpreted) and the rest of s after it.
func nextPlainField(s string) (field, rest string) {
	field, rest, _ = strings.Cut(strings.TrimLeft(s, " "), " ")
	return field, rest
}

// looksLikeTimestamp reports whether s starts like an ISO 8601 date-time:
// yyyy-mm-ddThh.
func looksLikeTimestamp(s string) bool {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12} {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isBareIP reports whether s looks like an IPv4 or (unbracketed) IPv6 address
// without a port: hex digits, dots and colons, with at least one dot or colon.
func isBareIP(s string) bool {
	if s == "" {
		return false
	}
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == ':':
			sep = true
		case isDigit(c), c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return sep
}

// isIPPort reports whether s looks like ip:port.
func isIPPort(s string) bool {
	i := strings.LastIndexByte(s, ':')
	return i != -1 && isBareIP(s[:i]) && isPort(s[i+1:])
}

// isPort reports whether s is a decimal number of 1 to 5 digits.
func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimLine removes a trailing line terminator (\n, \r\n or \r).
func trimLine(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
