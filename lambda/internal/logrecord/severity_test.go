package logrecord

import (
	"strings"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

// encoded converts lines of the object key with AppendProto, as the pipeline
// ships them, and decodes the request with OpenTelemetry's own protobuf types.
func encoded(t *testing.T, key string, lines ...string) []*logspb.LogRecord {
	t.Helper()
	c := NewConverter(Source{Bucket: "logs", Key: key, ETag: "e"}, fixedOptions())
	buf := make([]byte, RequestHeadroom)
	for i, l := range lines {
		buf, _ = c.AppendProto(buf, int64(i+1), []byte(l))
	}
	var req collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(c.FinishRequest(buf), &req); err != nil {
		t.Fatal(err)
	}
	return req.GetResourceLogs()[0].GetScopeLogs()[0].GetLogRecords()
}

// withField returns line with its i-th blank-separated field (0-based, before
// any quoted field) replaced by v.
func withField(line string, i int, v string) string {
	f := strings.SplitN(line, " ", i+2)
	f[i] = v
	return strings.Join(f, " ")
}

// TestSeverity_StatusBoundaries: the ELB status code sets the severity, ERROR
// from 500, WARN from 400, else INFO, at and on either side of each boundary,
// for the two formats that log one.
func TestSeverity_StatusBoundaries(t *testing.T) {
	t.Parallel()
	alb := string(readLines(t, "alb_access.log")[0])
	clb := string(readLines(t, "clb_access.log")[0])
	tests := []struct {
		status string
		sev    logspb.SeverityNumber
		text   string
	}{
		{"100", logspb.SeverityNumber_SEVERITY_NUMBER_INFO, "INFO"},
		{"200", logspb.SeverityNumber_SEVERITY_NUMBER_INFO, "INFO"},
		{"399", logspb.SeverityNumber_SEVERITY_NUMBER_INFO, "INFO"},
		{"400", logspb.SeverityNumber_SEVERITY_NUMBER_WARN, "WARN"},
		{"401", logspb.SeverityNumber_SEVERITY_NUMBER_WARN, "WARN"},
		{"499", logspb.SeverityNumber_SEVERITY_NUMBER_WARN, "WARN"},
		{"500", logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, "ERROR"},
		{"501", logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, "ERROR"},
		{"599", logspb.SeverityNumber_SEVERITY_NUMBER_ERROR, "ERROR"},
		{"-", logspb.SeverityNumber_SEVERITY_NUMBER_INFO, "INFO"}, // no response was sent
	}
	formats := map[string]struct {
		key   string
		line  string
		field int // of elb_status_code
	}{
		"alb": {albKey, alb, 8},
		"clb": {clbKey, clb, 7},
	}
	for name, f := range formats {
		lines := make([]string, len(tests))
		for i, tc := range tests {
			lines[i] = withField(f.line, f.field, tc.status)
		}
		recs := encoded(t, f.key, lines...)
		for i, tc := range tests {
			if got := recs[i]; got.GetSeverityNumber() != tc.sev || got.GetSeverityText() != tc.text {
				t.Errorf("%s status %s: severity %v %q, want %v %q", name, tc.status, got.GetSeverityNumber(), got.GetSeverityText(), tc.sev, tc.text)
			}
		}
	}
}
