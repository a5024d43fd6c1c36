package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// The endpoint answers 200 with partial_success rejecting some records: they
// exist nowhere but in the object. The object is never deleted; the records
// accepted and rejected are counted apart in the result, the EMF line and the
// log; the endpoint's message is logged once; and the message fails (the
// default: the lines stay recoverable through the dead-letter queue) or
// succeeds with the alarm's metric, as OnRejected says.
func TestHandleSQS_PartialSuccessKeepsTheRejectedLines(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		onRejected handler.OnRejected
		wantFail   bool
	}{
		"default: the message fails":  {wantFail: true},
		"succeed: the alarm's metric": {onRejected: handler.RejectedSucceed},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			o := w.put(loggen.ALB, 51, 30, "", "123456789012", "eu-west-1")
			w.rcv.Script(otlptest.Response{Rejected: 3})
			var logs, metrics bytes.Buffer
			h := w.handler(pipeline.Options{MaxBatchRecords: 10})
			h.DeleteObjects = true
			h.OnRejected = tc.onRejected
			h.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			h.Metrics = &metrics

			resp, err := h.HandleSQS(context.Background(), batch(message("m1", eventBridgeEvent(w.bucket, o))))
			if err != nil {
				t.Fatal(err)
			}
			if failed := len(resp.BatchItemFailures) == 1; failed != tc.wantFail {
				t.Errorf("message failed = %v, want %v", failed, tc.wantFail)
			}
			if !w.exists(o.key) {
				t.Error("the object with rejected records was deleted: those lines exist nowhere now")
			}
			if tc.wantFail && !strings.Contains(logs.String(), "the endpoint rejected 3 of 30 records") {
				t.Errorf("the failure does not say how many of the object's records were rejected:\n%s", logs.String())
			}
			if n := strings.Count(logs.String(), "scripted rejection"); n != 1 {
				t.Errorf("the endpoint's message is logged %d times, want once:\n%s", n, logs.String())
			}
			var line struct {
				Accepted int64  `json:"accepted"`
				Rejected int64  `json:"rejected"`
				Message  string `json:"endpointMessage"`
			}
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, "scripted rejection") {
					_ = json.Unmarshal([]byte(l), &line)
				}
			}
			if line.Accepted != 27 || line.Rejected != 3 || line.Message != "scripted rejection" {
				t.Errorf("log line says accepted %d, rejected %d, endpointMessage %q; want 27, 3, the endpoint's message", line.Accepted, line.Rejected, line.Message)
			}
			var m struct {
				Records  int64 `json:"Records"`
				Rejected int64 `json:"RejectedRecords"`
			}
			if err := json.Unmarshal(metrics.Bytes(), &m); err != nil || m.Records != 27 || m.Rejected != 3 {
				t.Errorf("EMF says Records %d, RejectedRecords %d (%v); want 27 accepted and 3 rejected", m.Records, m.Rejected, err)
			}
		})
	}
}
