package otlpexport

import (
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// bodyKind is how a response body is encoded, from its Content-Type.
type bodyKind int

const (
	kindUnknown bodyKind = iota
	kindProto
	kindJSON
)

func kindOf(contentType string) bodyKind {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case "application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf":
		return kindProto
	case "application/json":
		return kindJSON
	}
	return kindUnknown
}

// decodePartialSuccess reads the partial success of a 2xx response. An empty or
// undecodable body is a full success: the status code already says the request
// was accepted.
func decodePartialSuccess(contentType string, body []byte, sent Protocol) (rejected int64, message string) {
	var resp collogspb.ExportLogsServiceResponse
	if !unmarshalResponse(contentType, body, sent, &resp) {
		return 0, ""
	}
	ps := resp.GetPartialSuccess()
	return ps.GetRejectedLogRecords(), truncate(ps.GetErrorMessage(), maxMessage)
}

// unmarshalResponse decodes a 2xx response body into resp, in the encoding its
// Content-Type names (or, without one, the encoding of the request sent). It
// reports false for an empty or undecodable body.
func unmarshalResponse(contentType string, body []byte, sent Protocol, resp proto.Message) bool {
	if len(body) == 0 {
		return false
	}
	kind := kindOf(contentType)
	if kind == kindUnknown {
		kind = kindProto
		if sent == ProtocolHTTPJSON {
			kind = kindJSON
		}
	}
	if kind == kindJSON {
		return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(body, resp) == nil
	}
	return proto.Unmarshal(body, resp) == nil
}

// statusMessage extracts the message of an error response: the OTLP
// google.rpc.Status message when the body is one, else the body as text when it
// is text, truncated.
func statusMessage(contentType string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	switch kindOf(contentType) {
	case kindProto:
		var st statuspb.Status
		if err := proto.Unmarshal(body, &st); err == nil && st.GetMessage() != "" {
			return truncate(st.GetMessage(), maxMessage)
		}
	case kindJSON:
		var st struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(body, &st); err == nil && st.Message != "" {
			return truncate(st.Message, maxMessage)
		}
	}
	if utf8.Valid(body) {
		return truncate(string(body), maxMessage)
	}
	return fmt.Sprintf("(%d-byte body that is neither a google.rpc.Status nor text)", len(body))
}

// truncate returns s on one line, control characters replaced by spaces, cut to
// at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s))
	if len(s) <= n {
		return s
	}
	// s is valid UTF-8 (strings.Map writes only whole runes): s[0] starts one.
	cut := n
	for !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "...(truncated)"
}
