package otlptest

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
)

// MetricsReceiver is a loopback OTLP/HTTP metrics receiver (POST
// /v1/metrics, protobuf or JSON, compressed or not) that keeps every request, decoded
// with OpenTelemetry's own types. Serve it with httptest.NewServer.
type MetricsReceiver struct {
	mu       sync.Mutex
	requests []*colmetricspb.ExportMetricsServiceRequest
	arrived  []time.Time
	headers  []http.Header
	errs     []error
}

// Point is one received gauge or sum datapoint with its metric name, its
// resource and its request's arrival time.
type Point struct {
	Metric          string
	Resource, Attrs map[string]string
	Value           float64
	TimeUnixNano    uint64
	Arrived         time.Time
}

// Time is the datapoint's timestamp.
func (p Point) Time() time.Time { return time.Unix(0, int64(p.TimeUnixNano)).UTC() }

func (o *MetricsReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) {
		o.mu.Lock()
		o.errs = append(o.errs, err)
		o.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/metrics" {
		fail(fmt.Errorf("unexpected %s %s", r.Method, r.URL.Path))
		return
	}
	req := &colmetricspb.ExportMetricsServiceRequest{}
	isJSON, err := decodeRequest(r, req)
	if err != nil {
		fail(fmt.Errorf("decode ExportMetricsServiceRequest: %w", err))
		return
	}
	o.mu.Lock()
	o.requests = append(o.requests, req)
	o.arrived = append(o.arrived, time.Now())
	o.headers = append(o.headers, r.Header.Clone())
	o.mu.Unlock()
	respond(w, &colmetricspb.ExportMetricsServiceResponse{}, isJSON)
}

// Requests returns how many requests were accepted.
func (o *MetricsReceiver) Requests() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.requests)
}

// Headers returns the headers of accepted request i.
func (o *MetricsReceiver) Headers(i int) http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.headers[i]
}

// Errors returns the requests the receiver could not decode.
func (o *MetricsReceiver) Errors() []error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]error(nil), o.errs...)
}

// Points returns every received gauge and sum datapoint, in arrival order.
func (o *MetricsReceiver) Points() []Point {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Point
	for i, req := range o.requests {
		for _, rm := range req.GetResourceMetrics() {
			res := stringAttrs(rm.GetResource().GetAttributes())
			for _, sm := range rm.GetScopeMetrics() {
				for _, m := range sm.GetMetrics() {
					var dps []*metricspb.NumberDataPoint
					switch d := m.GetData().(type) {
					case *metricspb.Metric_Gauge:
						dps = d.Gauge.GetDataPoints()
					case *metricspb.Metric_Sum:
						dps = d.Sum.GetDataPoints()
					}
					for _, dp := range dps {
						v := dp.GetAsDouble()
						if _, ok := dp.GetValue().(*metricspb.NumberDataPoint_AsInt); ok {
							v = float64(dp.GetAsInt())
						}
						out = append(out, Point{Metric: m.GetName(), Resource: res, Attrs: stringAttrs(dp.GetAttributes()),
							Value: v, TimeUnixNano: dp.GetTimeUnixNano(), Arrived: o.arrived[i]})
					}
				}
			}
		}
	}
	return out
}

// ByMetric groups points by metric name.
func ByMetric(ps []Point) map[string][]Point {
	out := map[string][]Point{}
	for _, p := range ps {
		out[p.Metric] = append(out[p.Metric], p)
	}
	return out
}

func stringAttrs(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	return out
}
