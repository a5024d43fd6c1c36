package metricstream_test

import (
	"strings"
	"testing"
	"time"

	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/elb-otel/elb-otel/internal/streamgen"
)

// TestReader_UnknownFieldsInAScopeIsCorrupt: a ScopeMetrics with fields
// OTLP 1.0 does not define is not taken for a metric-stream message.
func TestReader_UnknownFieldsInAScopeIsCorrupt(t *testing.T) {
	t.Parallel()
	req := timedRequest(time.Now())
	sm := req.ResourceMetrics[0].ScopeMetrics[0]
	sm.ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
	_, err := readAll(t, streamgen.Record(req))
	if err == nil || !strings.Contains(err.Error(), "unknown fields in a ScopeMetrics") {
		t.Errorf("read error %v, want one naming unknown fields in a ScopeMetrics", err)
	}
}

// TestReader_EveryMetricIsChecked: a message whose first metric is sound and
// a later one is not (no name) is corrupt.
func TestReader_EveryMetricIsChecked(t *testing.T) {
	t.Parallel()
	req := timedRequest(time.Now())
	sm := req.ResourceMetrics[0].ScopeMetrics[0]
	sm.Metrics = append(sm.Metrics, &metricspb.Metric{Data: sm.Metrics[0].Data})
	_, err := readAll(t, streamgen.Record(req))
	if err == nil || !strings.Contains(err.Error(), "a metric without a name") {
		t.Errorf("read error %v, want one naming the metric without a name", err)
	}
}
