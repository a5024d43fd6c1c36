package logrecord

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/internal/golden"
	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
)

// fixedNow is the observed time of every record in the tests.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)

func fixedOptions() Options {
	return Options{Now: func() time.Time { return fixedNow }}
}

const (
	albKey  = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20180702T2225Z_192.168.131.39_2et2e1mx.log.gz"
	connKey = "elb/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/14/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20240314T0930Z_10.0.0.5_abcd1234.log.gz"
	nlbKey  = "AWSLogs/671290407336/elasticloadbalancing/us-east-2/2018/12/20/671290407336_elasticloadbalancing_us-east-2_net.my-network-loadbalancer.c6e77e28c25b2234_20181220T0300Z_3a7f9c2e.log.gz"
	clbKey  = "AWSLogs/123456789012/elasticloadbalancing/us-west-2/2015/05/13/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20150513T2340Z_172.160.001.192_20sg8hgm.log"
)

// readLines returns the lines of testdata/<name>.
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// convert converts lines into one ResourceLogs, as the pipeline does, and returns
// the logs and the outcome of each line.
func convert(t testing.TB, src Source, opts Options, lines [][]byte) (plog.Logs, []Outcome) {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	FillScope(sl.Scope())
	c := NewConverter(src, opts)
	outcomes := make([]Outcome, len(lines))
	for i, l := range lines {
		outcomes[i] = c.Convert(sl.LogRecords(), int64(i+1), l)
	}
	c.FillResource(rl.Resource())
	return ld, outcomes
}

func marshalIndent(t testing.TB, ld plog.Logs) []byte {
	t.Helper()
	var m plog.JSONMarshaler
	raw, err := m.MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestConvert converts every example line of each format and compares the OTLP/JSON
// with testdata/TestConvert_<format>.golden.json.
func TestConvert(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		file       string
		key        string
		wantFormat elblog.Format
	}{
		"alb_access":     {"alb_access.log", albKey, elblog.FormatALBAccess},
		"alb_connection": {"alb_connection.log", connKey, elblog.FormatALBConnection},
		"nlb_access":     {"nlb_access.log", nlbKey, elblog.FormatNLBAccess},
		"clb_access":     {"clb_access.log", clbKey, elblog.FormatCLBAccess},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lines := readLines(t, tc.file)
			src := Source{Bucket: "my-elb-logs", Key: tc.key, ETag: `"9b2cf535f27731c974343645a3985328"`}
			ld, outcomes := convert(t, src, fixedOptions(), lines)
			for i, o := range outcomes {
				if o != OutcomeRecord {
					t.Errorf("line %d: outcome %v, want record", i+1, o)
				}
			}
			if got := ld.LogRecordCount(); got != len(lines) {
				t.Errorf("got %d records, want %d", got, len(lines))
			}
			golden.Assert(t, t.Name(), marshalIndent(t, ld))
		})
	}
}

// TestConvert_ParseErrors converts a file holding control lines and bad lines, and
// compares the OTLP/JSON with its golden file.
func TestConvert_ParseErrors(t *testing.T) {
	t.Parallel()
	lines := readLines(t, "alb_access.log")
	good := string(lines[0])
	input := []string{
		"Enable AccessLog for ELB: app/my-loadbalancer/50dc6c495c0c9188 at 2018-07-02T22:20:00.000000Z",
		"",
		good,
		"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188",
		strings.Replace(good, " 200 200 ", " 2x0 200 ", 1),
		good[:strings.Index(good, `"curl`)] + `"curl/7.46.0 - -`,
		good + "\r",
	}
	want := []Outcome{OutcomeSkipped, OutcomeSkipped, OutcomeRecord, OutcomeParseError, OutcomeParseError, OutcomeParseError, OutcomeRecord}
	var bl [][]byte
	for _, l := range input {
		bl = append(bl, []byte(l))
	}
	ld, outcomes := convert(t, Source{Bucket: "b", Key: albKey, ETag: "e"}, fixedOptions(), bl)
	for i := range want {
		if outcomes[i] != want[i] {
			t.Errorf("line %d: outcome %v, want %v", i+1, outcomes[i], want[i])
		}
	}
	golden.Assert(t, t.Name(), marshalIndent(t, ld))
}

func TestConvert_ParseErrorRecord(t *testing.T) {
	t.Parallel()
	const short = "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188"
	c := NewConverter(Source{Bucket: "b", Key: albKey, ETag: "e"}, fixedOptions())
	recs := plog.NewLogRecordSlice()
	if o := c.Convert(recs, 12, []byte(short)); o != OutcomeParseError {
		t.Fatalf("outcome %v, want parse_error", o)
	}
	const wantMsg = "line 12: alb_access line has 3 fields, want at least 29"
	err := c.LastError()
	if err == nil || err.Error() != wantMsg {
		t.Fatalf("LastError() = %v, want %q", err, wantMsg)
	}
	var pe *elblog.ParseError
	if !errors.As(err, &pe) || pe.Fields != 3 || pe.Want != 29 {
		t.Errorf("LastError() = %#v, want it to wrap the *elblog.ParseError", err)
	}
	var le *LineError
	if !errors.As(err, &le) || le.Line != 12 {
		t.Errorf("LastError() = %#v, want a *LineError for line 12", err)
	}
	if recs.Len() != 1 {
		t.Fatalf("got %d records, want 1", recs.Len())
	}
	lr := recs.At(0)
	if got := lr.Body().Str(); got != short {
		t.Errorf("body = %q, want the raw line", got)
	}
	if got, _ := lr.Attributes().Get(attrParseError); got.Str() != wantMsg {
		t.Errorf("%s = %q, want %q", attrParseError, got.Str(), wantMsg)
	}
	if got, _ := lr.Attributes().Get(attrLogFormat); got.Str() != "alb_access" {
		t.Errorf("%s = %q, want alb_access", attrLogFormat, got.Str())
	}
	if _, ok := lr.Attributes().Get(attrLogRecordUID); !ok {
		t.Errorf("no %s", attrLogRecordUID)
	}
	if want := fixedNow.Truncate(time.Second); lr.ObservedTimestamp().AsTime() != want {
		t.Errorf("observed time = %v, want %v", lr.ObservedTimestamp().AsTime(), want)
	}
	if lr.Timestamp() != 0 || lr.SeverityNumber() != plog.SeverityNumberUnspecified || lr.SeverityText() != "" {
		t.Errorf("time %v, severity %v %q, want none", lr.Timestamp(), lr.SeverityNumber(), lr.SeverityText())
	}

	// The next good line clears LastError.
	good := readLines(t, "alb_access.log")[0]
	if o := c.Convert(recs, 13, good); o != OutcomeRecord || c.LastError() != nil {
		t.Errorf("good line: outcome %v, LastError %v", o, c.LastError())
	}
}

func TestConvert_FormatDetection(t *testing.T) {
	t.Parallel()
	alb := string(readLines(t, "alb_access.log")[0])
	conn := string(readLines(t, "alb_connection.log")[0])
	tests := map[string]struct {
		key      string
		lines    []string
		want     elblog.Format
		outcomes []Outcome
	}{
		"content, no key": {
			key: "local/file.log", lines: []string{"", alb},
			want: elblog.FormatALBAccess, outcomes: []Outcome{OutcomeSkipped, OutcomeRecord},
		},
		"unknown first line, detected on the next": {
			key: "local/file.log", lines: []string{"garbage", alb},
			want: elblog.FormatALBAccess, outcomes: []Outcome{OutcomeParseError, OutcomeRecord},
		},
		"connection log key hints the format of a bad first line": {
			key: connKey, lines: []string{"garbage", conn},
			want: elblog.FormatALBConnection, outcomes: []Outcome{OutcomeParseError, OutcomeRecord},
		},
		"content wins over the key": {
			key: nlbKey, lines: []string{alb},
			want: elblog.FormatALBAccess, outcomes: []Outcome{OutcomeRecord},
		},
		"format kept for later lines": {
			key: "x", lines: []string{alb, conn},
			want: elblog.FormatALBAccess, outcomes: []Outcome{OutcomeRecord, OutcomeParseError},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := NewConverter(Source{Bucket: "b", Key: tc.key}, fixedOptions())
			recs := plog.NewLogRecordSlice()
			for i, l := range tc.lines {
				if o := c.Convert(recs, int64(i+1), []byte(l)); o != tc.outcomes[i] {
					t.Errorf("line %d: outcome %v, want %v (%v)", i+1, o, tc.outcomes[i], c.LastError())
				}
			}
			if c.Format() != tc.want {
				t.Errorf("Format() = %v, want %v", c.Format(), tc.want)
			}
		})
	}
}

// allRecords converts every example file and returns the records.
func allRecords(t *testing.T) []plog.LogRecord {
	t.Helper()
	var recs []plog.LogRecord
	for file, key := range map[string]string{"alb_access.log": albKey, "alb_connection.log": connKey, "nlb_access.log": nlbKey, "clb_access.log": clbKey} {
		ld, _ := convert(t, Source{Bucket: "b", Key: key, ETag: "e"}, fixedOptions(), readLines(t, file))
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			recs = append(recs, lrs.At(i))
		}
	}
	return recs
}

// TestConvert_DashIsAbsent checks that no attribute of any example line holds "-"
// or an empty string.
func TestConvert_DashIsAbsent(t *testing.T) {
	t.Parallel()
	for _, lr := range allRecords(t) {
		lr.Attributes().Range(func(k string, v pcommon.Value) bool {
			switch v.Type() {
			case pcommon.ValueTypeStr:
				if v.Str() == "-" || v.Str() == "" {
					t.Errorf("%s = %q in the record of %q", k, v.Str(), lr.Body().Str())
				}
			case pcommon.ValueTypeSlice:
				for i := 0; i < v.Slice().Len(); i++ {
					if s := v.Slice().At(i).Str(); s == "-" || s == "" {
						t.Errorf("%s[%d] = %q in the record of %q", k, i, s, lr.Body().Str())
					}
				}
			}
			return true
		})
	}
}

// TestConvert_ListOfEmptyItemsIsAbsent: a list field whose items are all empty
// ("," or ",,") adds no attribute, as "-" does not, rather than an empty array.
func TestConvert_ListOfEmptyItemsIsAbsent(t *testing.T) {
	t.Parallel()
	line := string(readLines(t, "alb_access.log")[0])
	for _, empty := range []string{`","`, `",,"`} {
		lr := convertOne(t, albKey, strings.Replace(line, `"forward"`, empty, 1))
		if v, ok := lr.Attributes().Get("aws.elb.actions_executed"); ok {
			t.Errorf("actions_executed %s: attribute %v, want none", empty, v.AsRaw())
		}
	}
}

// attrs converts one line with a fresh Converter and returns its record.
func convertOne(t *testing.T, key, line string) plog.LogRecord {
	t.Helper()
	c := NewConverter(Source{Bucket: "b", Key: key, ETag: "e"}, fixedOptions())
	recs := plog.NewLogRecordSlice()
	if o := c.Convert(recs, 1, []byte(line)); o != OutcomeRecord {
		t.Fatalf("outcome %v: %v", o, c.LastError())
	}
	return recs.At(0)
}

func TestConvert_Attributes(t *testing.T) {
	t.Parallel()
	alb := readLines(t, "alb_access.log")
	nlb := readLines(t, "nlb_access.log")
	clb := readLines(t, "clb_access.log")
	conn := readLines(t, "alb_connection.log")
	tests := map[string]struct {
		key    string
		line   []byte
		want   map[string]any // nil value: absent
		sev    plog.SeverityNumber
		trace  string // "" not checked, "none" want no trace ID
		timeNS string
	}{
		"alb doc example 1": {
			key: albKey, line: alb[0], sev: plog.SeverityNumberInfo, trace: "5833726236d228ad5d99923122bbe354",
			timeNS: "2018-07-02T22:23:00.186641Z",
			want: map[string]any{
				"client.address": "192.168.131.39", "client.port": int64(2817),
				"destination.address": "10.0.0.1", "destination.port": int64(80),
				"http.request.method": "GET", "url.full": "http://www.example.com:80/", "url.scheme": "http",
				"server.address": "www.example.com", "server.port": int64(80), "url.path": "/", "url.query": nil,
				"network.protocol.name": "http", "network.protocol.version": "1.1",
				"http.response.status_code": int64(200), "aws.elb.status.code": int64(200), "aws.elb.backend.status.code": int64(200),
				"http.request.size": int64(34), "http.response.size": int64(366),
				"aws.elb.request_processing_time": 0.0, "aws.elb.target_processing_time": 0.001,
				"user_agent.original": "curl/7.46.0", "tls.cipher": nil, "tls.protocol.name": nil,
				"aws.elb.matched_rule_priority": int64(0), "aws.elb.request_creation_time": "2018-07-02T22:22:48.364000Z",
				"aws.elb.actions_executed": []string{"forward"}, "aws.elb.target_port_list": []string{"10.0.0.1:80"},
				"aws.elb.target_status_code_list": []string{"200"}, "aws.elb.type": "http",
				"aws.elb.aws_trace_id": "Root=1-58337262-36d228ad5d99923122bbe354",
				"aws.elb.log.format":   "alb_access", "aws.elb.connection_trace_id": nil, "aws.elb.unparsed_fields": nil,
			},
		},
		"alb https, tls, two actions": {
			key: albKey, line: alb[1], sev: plog.SeverityNumberInfo, trace: "583372811d84f3d73c47ec4e58577259",
			want: map[string]any{
				"tls.protocol.name": "tls", "tls.protocol.version": "1.2", "tls.cipher": "ECDHE-RSA-AES128-GCM-SHA256",
				"tls.server.name": "www.example.com", "aws.elb.actions_executed": []string{"authenticate", "forward"},
				"aws.elb.connection_trace_id": "TID_1234abcd5678ef90",
			},
		},
		"alb h2 protocol version": {
			key: albKey, line: alb[2], sev: plog.SeverityNumberInfo,
			want: map[string]any{"network.protocol.version": "2", "aws.elb.redirect_url": "https://example.com:80/", "server.port": int64(773)},
		},
		"alb 502 is an error": {
			key: albKey, line: alb[4], sev: plog.SeverityNumberError,
			want: map[string]any{"http.response.status_code": int64(502), "aws.elb.backend.status.code": nil,
				"destination.address": nil, "destination.port": nil, "aws.elb.error_reason": "LambdaInvalidResponse",
				"aws.elb.target_port_list": nil},
		},
		"alb malformed request, dashes absent, -1 kept": {
			key: albKey, line: alb[5], sev: plog.SeverityNumberWarn, trace: "none",
			want: map[string]any{
				"http.request.method": nil, "network.protocol.name": nil, "user_agent.original": nil,
				"url.full":       "http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80-",
				"server.address": "awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com", "server.port": nil,
				"aws.elb.request_processing_time": -1.0, "aws.elb.target_processing_time": -1.0, "aws.elb.response_processing_time": -1.0,
				"aws.elb.target_group_arn": nil, "aws.elb.aws_trace_id": nil, "aws.elb.matched_rule_priority": nil,
				"aws.elb.actions_executed": nil, "aws.elb.classification": nil, "tls.server.name": nil, "aws.elb.chosen_cert_arn": nil,
			},
		},
		"alb 33 fields, unparsed trailing fields": {
			key: albKey, line: append(bytes.Clone(alb[7]), ` "x y" z`...), sev: plog.SeverityNumberInfo,
			want: map[string]any{"aws.elb.unparsed_fields": []string{"x y", "z"}, "aws.elb.transformed_host": nil,
				"aws.elb.target_port_list": []string{"10.0.0.1:80"}},
		},
		"alb ipv6 client, 401 is a warning": {
			key: albKey, line: alb[8], sev: plog.SeverityNumberWarn, trace: "64fe575433ecd7461b3736944677bb97",
			want: map[string]any{"client.address": "2a02:a33c:4538:1:bcf4:5264:e01c:f215", "client.port": int64(50718),
				"url.path": "/api/v1/alerts/me/outstanding", "aws.elb.chosen_cert_arn": "session-reused"},
		},
		"alb trace id among other fields": {
			key: albKey, sev: plog.SeverityNumberInfo, trace: "5833726236d228ad5d99923122bbe354",
			line: bytes.Replace(alb[0], []byte(`"Root=1-58337262-36d228ad5d99923122bbe354"`),
				[]byte(`"Self=1-11111111-222222222222222222222222;Root=1-58337262-36d228ad5d99923122bbe354;Parent=53995c3f42cd8ad8;Sampled=1"`), 1),
			want: map[string]any{"aws.elb.aws_trace_id": "Self=1-11111111-222222222222222222222222;Root=1-58337262-36d228ad5d99923122bbe354;Parent=53995c3f42cd8ad8;Sampled=1"},
		},
		"alb bad trace id": {
			key: albKey, sev: plog.SeverityNumberInfo, trace: "none",
			line: bytes.Replace(alb[0], []byte(`Root=1-58337262-36d228ad5d99923122bbe354`), []byte(`Root=1-5833726z-36d228ad5d99923122bbe354`), 1),
			want: map[string]any{"aws.elb.aws_trace_id": "Root=1-5833726z-36d228ad5d99923122bbe354"},
		},
		"nlb 21 fields": {
			key: nlbKey, line: nlb[0], sev: plog.SeverityNumberInfo, timeNS: "2018-12-20T02:59:40Z",
			want: map[string]any{
				"client.address": "72.21.218.154", "client.port": int64(51341), "destination.port": int64(443),
				"aws.elb.connection_time": int64(5), "aws.elb.tls_handshake_time": int64(2),
				"http.request.size": int64(98), "http.response.size": int64(246),
				"tls.protocol.name": "tls", "tls.protocol.version": "1.2", "tls.cipher": "ECDHE-RSA-AES128-SHA",
				"tls.server.name":       "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
				"network.protocol.name": nil, "network.protocol.version": nil,
				"aws.elb.type": "tls", "aws.elb.log.version": "2.0", "aws.elb.tls.listener.resource_id": "g3d4b5e8bb8464cd",
				"aws.elb.incoming_tls_alert": nil, "aws.elb.chosen_cert_serial": nil, "tls.next_protocol": nil,
				"aws.elb.alpn_client_preference_list": nil, "aws.elb.tls_connection_creation_time": nil,
				"aws.elb.log.format": "nlb_access",
			},
		},
		"nlb alpn": {
			key: nlbKey, line: nlb[1], sev: plog.SeverityNumberInfo,
			want: map[string]any{"tls.next_protocol": "h2", "aws.elb.alpn_be_protocol": "h2",
				"aws.elb.alpn_client_preference_list":  []string{"h2", "http/1.1"},
				"aws.elb.tls_connection_creation_time": "2020-04-01T08:51:20"},
		},
		"nlb ipv6": {
			key: nlbKey, line: nlb[2], sev: plog.SeverityNumberInfo,
			want: map[string]any{"client.address": "2401:4900:1d0c:29b7:c9b2:7b5a:e7d0:2380", "client.port": int64(55932),
				"destination.address": "2406:da1a:138:7c01:63c:b510:129f:89f1", "destination.port": int64(443),
				"aws.elb.tls.named_group": "x25519", "tls.protocol.version": "1.3"},
		},
		"clb http": {
			key: clbKey, line: clb[0], sev: plog.SeverityNumberInfo, timeNS: "2015-05-13T23:39:43.945958Z",
			want: map[string]any{"aws.elb.request_processing_time": 0.000073, "aws.elb.target_processing_time": 0.001048,
				"aws.elb.response_processing_time": 0.000057, "http.response.status_code": int64(200),
				"aws.elb.backend.status.code": int64(200), "destination.address": "10.0.0.1", "user_agent.original": "curl/7.38.0",
				"aws.elb.log.format": "clb_access"},
		},
		"clb tcp, no status": {
			key: clbKey, line: clb[2], sev: plog.SeverityNumberInfo,
			want: map[string]any{"http.response.status_code": nil, "aws.elb.status.code": nil, "http.request.method": nil,
				"url.full": nil, "network.protocol.name": nil, "user_agent.original": nil, "http.request.size": int64(82)},
		},
		"connection success": {
			key: connKey, line: conn[0], sev: plog.SeverityNumberInfo, timeNS: "2024-03-14T09:26:53.364417Z",
			want: map[string]any{"client.address": "203.0.113.10", "client.port": int64(51412), "server.port": int64(443),
				"tls.protocol.version": "1.2", "tls.client.subject": "CN=client.example.com,O=Example Corp,C=US",
				"aws.elb.tls_handshake_latency": 0.011, "aws.elb.tls_verify_status": "Success",
				"aws.elb.leaf_client_cert_serial_number": "0A1B2C3D4E5F6071",
				"aws.elb.connection_trace_id":            "TID_9b2f8e1c0d3a4b5c6d7e8f9011223344", "aws.elb.log.format": "alb_connection"},
		},
		"connection failed is a warning": {
			key: connKey, line: conn[1], sev: plog.SeverityNumberWarn,
			want: map[string]any{"aws.elb.tls_verify_status": "Failed:ClientCertExpired", "tls.client.subject": `CN=old client, O="Quoted" Inc`},
		},
		"connection without certificate, trailing field": {
			key: connKey, line: conn[3], sev: plog.SeverityNumberInfo,
			want: map[string]any{"tls.client.subject": nil, "aws.elb.leaf_client_cert_validity": nil,
				"aws.elb.unparsed_fields": []string{"x25519"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lr := convertOne(t, tc.key, string(tc.line))
			if lr.SeverityNumber() != tc.sev {
				t.Errorf("severity = %v, want %v", lr.SeverityNumber(), tc.sev)
			}
			if got := lr.TraceID(); (tc.trace == "none" && !got.IsEmpty()) || (tc.trace != "" && tc.trace != "none" && got.String() != tc.trace) {
				t.Errorf("trace ID = %v, want %q", got, tc.trace)
			}
			if tc.timeNS != "" {
				want, _ := time.Parse(time.RFC3339Nano, tc.timeNS)
				if got := lr.Timestamp().AsTime(); !got.Equal(want) {
					t.Errorf("time = %v, want %v", got, want)
				}
			}
			if lr.Body().Str() != strings.TrimRight(string(tc.line), "\r\n") {
				t.Errorf("body = %q, want the raw line", lr.Body().Str())
			}
			for k, want := range tc.want {
				assertAttr(t, lr.Attributes(), k, want)
			}
		})
	}
}

// assertAttr checks attribute k of a: absent when want is nil, else of want's type
// and value.
func assertAttr(t *testing.T, a pcommon.Map, k string, want any) {
	t.Helper()
	v, ok := a.Get(k)
	if want == nil {
		if ok {
			t.Errorf("%s = %v, want absent", k, v.AsRaw())
		}
		return
	}
	if !ok {
		t.Errorf("%s absent, want %v", k, want)
		return
	}
	switch w := want.(type) {
	case string:
		if v.Type() != pcommon.ValueTypeStr || v.Str() != w {
			t.Errorf("%s = %v (%v), want string %q", k, v.AsRaw(), v.Type(), w)
		}
	case int64:
		if v.Type() != pcommon.ValueTypeInt || v.Int() != w {
			t.Errorf("%s = %v (%v), want int %d", k, v.AsRaw(), v.Type(), w)
		}
	case float64:
		if v.Type() != pcommon.ValueTypeDouble || v.Double() != w {
			t.Errorf("%s = %v (%v), want double %v", k, v.AsRaw(), v.Type(), w)
		}
	case []string:
		if v.Type() != pcommon.ValueTypeSlice || v.Slice().Len() != len(w) {
			t.Errorf("%s = %v (%v), want %q", k, v.AsRaw(), v.Type(), w)
			return
		}
		for i := range w {
			if s := v.Slice().At(i); s.Type() != pcommon.ValueTypeStr || s.Str() != w[i] {
				t.Errorf("%s = %v, want %q", k, v.AsRaw(), w)
			}
		}
	default:
		t.Fatalf("unsupported want type %T", want)
	}
}

func TestConvert_UID(t *testing.T) {
	t.Parallel()
	line := readLines(t, "alb_access.log")[0]
	uidOf := func(src Source, lineNo int64) string {
		c := NewConverter(src, fixedOptions())
		recs := plog.NewLogRecordSlice()
		c.Convert(recs, lineNo, line)
		v, _ := recs.At(0).Attributes().Get(attrLogRecordUID)
		return v.Str()
	}
	src := Source{Bucket: "b", Key: albKey, ETag: "abc"}
	first := uidOf(src, 1)
	if obj, line, ok := strings.Cut(first, "-"); !ok || len(obj) != 16 || strings.Trim(obj, "0123456789abcdef") != "" || line != "1" {
		t.Fatalf("uid %q is not <16 hex digits>-<line>", first)
	}
	tests := map[string]struct {
		src  Source
		line int64
		same bool
	}{
		"same object and line":   {src, 1, true},
		"quoted etag":            {Source{Bucket: "b", Key: albKey, ETag: `"abc"`}, 1, true},
		"next line":              {src, 2, false},
		"other etag":             {Source{Bucket: "b", Key: albKey, ETag: "abd"}, 1, false},
		"other key":              {Source{Bucket: "b", Key: albKey + "x", ETag: "abc"}, 1, false},
		"other bucket":           {Source{Bucket: "c", Key: albKey, ETag: "abc"}, 1, false},
		"fields do not run over": {Source{Bucket: "b" + albKey[:1], Key: albKey[1:], ETag: "abc"}, 1, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := uidOf(tc.src, tc.line); (got == first) != tc.same {
				t.Errorf("uid %q, first %q, want same = %v", got, first, tc.same)
			}
		})
	}
}

// TestConvert_UIDUnique checks that the uids of many lines of one object differ.
func TestConvert_UIDUnique(t *testing.T) {
	t.Parallel()
	g := newUIDGen("b", "k", "e")
	seen := make(map[string]int64, 200_000)
	for n := int64(1); n <= 200_000; n++ {
		u := string(g.appendUID(nil, n))
		if prev, dup := seen[u]; dup {
			t.Fatalf("lines %d and %d share the uid %s", prev, n, u)
		}
		seen[u] = n
	}
}

func TestFillResource(t *testing.T) {
	t.Parallel()
	alb := readLines(t, "alb_access.log")
	tests := map[string]struct {
		key   string
		lines [][]byte
		opts  Options
		want  map[string]any
	}{
		"alb, from the first line": {
			key: albKey, lines: alb,
			want: map[string]any{
				"cloud.provider": "aws", "cloud.platform": "aws_elb", "cloud.region": "us-east-2",
				"cloud.account.id":  "123456789012",
				"cloud.resource_id": "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/my-loadbalancer/50dc6c495c0c9188",
				"aws.s3.bucket":     "bkt", "aws.s3.key": albKey, "service.name": "elb",
			},
		},
		"from the key when no line parsed": {
			key: nlbKey, lines: nil,
			want: map[string]any{"cloud.resource_id": "arn:aws:elasticloadbalancing:us-east-2:671290407336:loadbalancer/net/my-network-loadbalancer/c6e77e28c25b2234"},
		},
		"clb name": {
			key: clbKey, lines: readLines(t, "clb_access.log"),
			want: map[string]any{"cloud.resource_id": "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/my-loadbalancer"},
		},
		"china partition": {
			key:  "AWSLogs/123456789012/elasticloadbalancing/cn-north-1/2024/01/01/123456789012_elasticloadbalancing_cn-north-1_app.lb.abc_20240101T0000Z_10.0.0.1_x.log.gz",
			want: map[string]any{"cloud.resource_id": "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/lb/abc"},
		},
		"no region or account: bare id": {
			key: "local.log", lines: alb[:1],
			want: map[string]any{"cloud.resource_id": "app/my-loadbalancer/50dc6c495c0c9188", "cloud.region": nil, "cloud.account.id": nil},
		},
		"service name and extra attributes override": {
			key: albKey, lines: alb[:1],
			opts: Options{ServiceName: "edge", ResourceAttributes: map[string]string{"deployment.environment.name": "prod", "cloud.region": "eu-west-1"}},
			want: map[string]any{"service.name": "edge", "deployment.environment.name": "prod", "cloud.region": "eu-west-1"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ld, _ := convert(t, Source{Bucket: "bkt", Key: tc.key, ETag: "e"}, tc.opts, tc.lines)
			res := ld.ResourceLogs().At(0).Resource()
			for k, want := range tc.want {
				assertAttr(t, res.Attributes(), k, want)
			}
		})
	}
}

func TestFillScope(t *testing.T) {
	t.Parallel()
	s := pcommon.NewInstrumentationScope()
	FillScope(s)
	if s.Name() != "github.com/elb-otel/elb-otel" || s.Version() != ScopeVersion {
		t.Errorf("scope %q %q", s.Name(), s.Version())
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	before := time.Now().Truncate(time.Second) // observed times are whole seconds
	c := NewConverter(Source{Key: albKey}, Options{})
	recs := plog.NewLogRecordSlice()
	c.Convert(recs, 1, readLines(t, "alb_access.log")[0])
	if got := recs.At(0).ObservedTimestamp().AsTime(); got.Before(before) || got.After(time.Now()) {
		t.Errorf("observed time %v, want now, in whole seconds", got)
	}
	res := pcommon.NewResource()
	c.FillResource(res)
	assertAttr(t, res.Attributes(), "service.name", "elb")
	assertAttr(t, res.Attributes(), "aws.s3.bucket", nil)
}

func TestSplitTLSProtocol(t *testing.T) {
	t.Parallel()
	tests := map[string][2]string{
		"TLSv1.2": {"tls", "1.2"}, "TLSv1.3": {"tls", "1.3"}, "TLSv1.1": {"tls", "1.1"}, "TLSv1": {"tls", "1.0"},
		"tlsv12": {"tls", "1.2"}, "tlsv13": {"tls", "1.3"}, "tlsv10": {"tls", "1.0"}, "SSLv3": {"ssl", "3"},
		"TLSv1.4": {"tls", "1.4"}, "DTLSv1.2": {"dtls", "1.2"}, "QUIC": {"quic", ""},
	}
	for in, want := range tests {
		if n, v := splitTLSProtocol(in); n != want[0] || v != want[1] {
			t.Errorf("splitTLSProtocol(%q) = %q, %q, want %q", in, n, v, want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	t.Parallel()
	for o, want := range map[Outcome]string{OutcomeRecord: "record", OutcomeParseError: "parse_error", OutcomeSkipped: "skipped", Outcome(9): "unknown"} {
		if o.String() != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", o, o.String(), want)
		}
	}
}

func TestConvert_ReplacesBytesThatAreNotUTF8(t *testing.T) {
	t.Parallel()
	line := strings.Replace(string(readLines(t, "alb_access.log")[0]), "curl", "cu\xffrl", 1)
	c := NewConverter(Source{Key: albKey}, fixedOptions())
	recs := plog.NewLogRecordSlice()
	if o := c.Convert(recs, 1, []byte(line)); o != OutcomeRecord || !c.Replaced() {
		t.Fatalf("outcome %v, replaced %v; want a record, replaced", o, c.Replaced())
	}
	lr := recs.At(0)
	if got, want := lr.Body().Str(), strings.ToValidUTF8(line, "\uFFFD"); got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if ua, _ := lr.Attributes().Get("user_agent.original"); ua.Str() != "cu\uFFFDrl/7.46.0" {
		t.Errorf("user_agent.original = %q", ua.Str())
	}
	if _, ok := lr.Attributes().Get(attrEncodingError); !ok {
		t.Errorf("no %s", attrEncodingError)
	}
	c.Convert(recs, 2, readLines(t, "alb_access.log")[0])
	if c.Replaced() {
		t.Error("Replaced stays set for a valid line")
	}
}
