package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// convert writes one OTLP/JSON ExportLogsServiceRequest per line of stdout,
// which OpenTelemetry's own protobuf types decode.
func TestConvert_WritesOTLPJSONLines(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		kind      loggen.Kind
		lines     int
		batch     string
		wantLines int // of output
		useKey    bool
	}{
		"ALB gzip, three batches": {kind: loggen.ALB, lines: 250, batch: "100", wantLines: 3, useKey: true},
		"NLB gzip, one batch":     {kind: loggen.NLB, lines: 40, batch: "2000", wantLines: 1},
		"CLB plain text":          {kind: loggen.CLB, lines: 30, batch: "7", wantLines: 5, useKey: true},
		"ALB connection log":      {kind: loggen.ALBConnection, lines: 12, batch: "5", wantLines: 3},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := writeFile(t, t.TempDir(), generate(tt.kind, 11, tt.lines, ""))
			args := []string{"convert", "--batch-records", tt.batch, "--bucket", "my-logs"}
			wantKey := filepath.Base(f.path)
			if tt.useKey {
				args = append(args, "--key", f.key)
				wantKey = f.key
			}
			code, stdout, stderr := cli(t, append(args, f.path)...)
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			out := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(out) != tt.wantLines {
				t.Errorf("%d lines of output, want %d", len(out), tt.wantLines)
			}
			var bodies []string
			for i, line := range out {
				req := &collogspb.ExportLogsServiceRequest{}
				if err := protojson.Unmarshal([]byte(line), req); err != nil {
					t.Fatalf("output line %d does not decode as an ExportLogsServiceRequest: %v", i+1, err)
				}
				for _, rl := range req.GetResourceLogs() {
					res := map[string]string{}
					for _, kv := range rl.GetResource().GetAttributes() {
						res[kv.GetKey()] = kv.GetValue().GetStringValue()
					}
					if res["aws.s3.key"] != wantKey || res["aws.s3.bucket"] != "my-logs" {
						t.Errorf("output line %d: resource aws.s3.bucket %q, aws.s3.key %q, want my-logs, %q", i+1, res["aws.s3.bucket"], res["aws.s3.key"], wantKey)
					}
					if tt.useKey && (res["cloud.account.id"] != "123456789012" || res["cloud.region"] != "eu-west-1") {
						t.Errorf("output line %d: resource cloud.account.id %q, cloud.region %q, want the key's", i+1, res["cloud.account.id"], res["cloud.region"])
					}
					for _, sl := range rl.GetScopeLogs() {
						for _, lr := range sl.GetLogRecords() {
							bodies = append(bodies, lr.GetBody().GetStringValue())
						}
					}
				}
			}
			if len(bodies) != tt.lines {
				t.Fatalf("%d records, want %d", len(bodies), tt.lines)
			}
			for i := range bodies {
				if bodies[i] != f.lines[i] {
					t.Errorf("record %d body %.80q, want line %d %.80q", i+1, bodies[i], i+1, f.lines[i])
				}
			}
			if want := fmt.Sprintf("%d lines, %d records", tt.lines, tt.lines); !strings.Contains(stderr, want) {
				t.Errorf("stderr does not report %q:\n%s", want, stderr)
			}
		})
	}
}

// OTLP/JSON writes trace IDs as hex, not as protobuf JSON's base64: the ID of
// an ALB line is its X-Ray trace ID's 32 hex digits.
func TestConvert_WritesTraceIDsAsHex(t *testing.T) {
	t.Parallel()
	f := writeFile(t, t.TempDir(), generate(loggen.ALB, 5, 50, ""))
	code, stdout, stderr := cli(t, "convert", f.path)
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	var req struct {
		ResourceLogs []struct {
			ScopeLogs []struct {
				LogRecords []struct {
					TraceID string `json:"traceId"`
					Body    struct {
						StringValue string `json:"stringValue"`
					} `json:"body"`
				} `json:"logRecords"`
			} `json:"scopeLogs"`
		} `json:"resourceLogs"`
	}
	if err := json.Unmarshal([]byte(stdout), &req); err != nil {
		t.Fatal(err)
	}
	root := regexp.MustCompile(`"Root=1-([0-9a-f]{8})-([0-9a-f]{24})"`)
	n := 0
	for _, rl := range req.ResourceLogs {
		for _, sl := range rl.ScopeLogs {
			for _, lr := range sl.LogRecords {
				m := root.FindStringSubmatch(lr.Body.StringValue)
				if m == nil {
					continue
				}
				n++
				if want := m[1] + m[2]; lr.TraceID != want {
					t.Errorf("traceId %q, want %q from %s", lr.TraceID, want, m[0])
				}
			}
		}
	}
	if n == 0 {
		t.Error("no record with an X-Ray trace ID")
	}
}

// A file that cannot be read fails the command, after the others are
// converted.
func TestConvert_ReportsTheFilesThatFailed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, generate(loggen.ALB, 1, 10, ""))
	missing := filepath.Join(dir, "missing.log.gz")
	code, stdout, stderr := cli(t, "convert", missing, good.path)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr, missing) || !strings.Contains(stderr, "1 of 2 files failed") {
		t.Errorf("stderr does not name the missing file and the count:\n%s", stderr)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		req := &collogspb.ExportLogsServiceRequest{}
		if err := protojson.Unmarshal([]byte(line), req); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		for _, rl := range req.GetResourceLogs() {
			for _, sl := range rl.GetScopeLogs() {
				n += len(sl.GetLogRecords())
			}
		}
	}
	if n != len(good.lines) {
		t.Errorf("%d records converted, want the good file's %d", n, len(good.lines))
	}
}

// teeExporter keeps a copy of each request the shipper encodes, then hands it
// to the convert command's JSON writer.
type teeExporter struct {
	reqs [][]byte
	json *jsonLines
}

func (t *teeExporter) ExportProto(ctx context.Context, req []byte, records int) (otlpexport.Stats, error) {
	t.reqs = append(t.reqs, bytes.Clone(req))
	return t.json.ExportProto(ctx, req, records)
}

// TestConvert_JSONLinesAreTheShippedBytes checks each line convert prints
// against the protobuf request it was rendered from, with pdata as the oracle:
// its JSON unmarshaler must read the line back to the records its protobuf
// unmarshaler reads from the bytes, and its JSON marshaler writes the same
// bytes (what convert printed before it rendered the JSON itself).
func TestConvert_JSONLinesAreTheShippedBytes(t *testing.T) {
	t.Parallel()
	kinds := map[string]loggen.Kind{"ALB": loggen.ALB, "NLB": loggen.NLB, "CLB": loggen.CLB, "ALB connection": loggen.ALBConnection}
	for name, kind := range kinds {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := writeFile(t, t.TempDir(), generate(kind, 3, 120, ""))
			var out bytes.Buffer
			tee := &teeExporter{json: &jsonLines{w: &out}}
			now := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
			s := pipeline.NewShipper(tee, pipeline.Options{
				Record:          logrecord.Options{ServiceName: "edge", ResourceAttributes: map[string]string{"team": "a b+c%d=e,f"}},
				MaxBatchRecords: 50,
				MaxInFlight:     1, // as convert: one writer, lines in input order
				Now:             func() time.Time { return now },
			})
			if _, err := convertFile(context.Background(), &handler.Handler{Shipper: s}, f.path, "my-logs", f.key); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != 3 || len(tee.reqs) != 3 {
				t.Fatalf("%d lines for %d requests, want 3 of each", len(lines), len(tee.reqs))
			}
			for i, line := range lines {
				fromJSON, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs([]byte(line))
				if err != nil {
					t.Fatalf("line %d: pdata cannot read it: %v", i+1, err)
				}
				fromProto, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(tee.reqs[i])
				if err != nil {
					t.Fatal(err)
				}
				a, _ := (&plog.ProtoMarshaler{}).MarshalLogs(fromJSON)
				b, _ := (&plog.ProtoMarshaler{}).MarshalLogs(fromProto)
				if !bytes.Equal(a, b) {
					t.Errorf("line %d decodes to other records than the request it was rendered from", i+1)
				}
				pdataJSON, _ := (&plog.JSONMarshaler{}).MarshalLogs(fromProto)
				if string(pdataJSON) != line {
					t.Errorf("line %d differs from pdata's JSON:\n got: %.300s\nwant: %.300s", i+1, line, pdataJSON)
				}
			}
		})
	}
}
