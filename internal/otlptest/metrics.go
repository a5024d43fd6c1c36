package otlptest

import (
	"fmt"
	"net/http"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
)

// DataPoint is one received metric data point, decoded.
type DataPoint struct {
	Resource   map[string]any
	Scope      string
	Metric     string
	Unit       string
	Type       string // summary, gauge, sum, histogram, exponential_histogram
	Attributes map[string]any
	Start      uint64 // start time, Unix nanoseconds
	Time       uint64 // time, Unix nanoseconds
	// Summary: Count, Sum and Quantiles (quantile to value).
	Count     uint64
	Sum       float64
	Quantiles map[float64]float64
	// Gauge and sum: the value, as a float64.
	Value float64
}

// DataPoints returns the data points of every accepted metrics request.
func (r *Receiver) DataPoints() []DataPoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]DataPoint(nil), r.points...)
}

// MetricRequests counts the accepted metrics requests.
func (r *Receiver) MetricRequests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metricRequests
}

// WaitForDataPoints waits until at least n data points arrived or timeout
// passes, and returns them.
func (r *Receiver) WaitForDataPoints(n int, timeout time.Duration) []DataPoint {
	deadline := time.After(timeout)
	for {
		pts := r.DataPoints()
		if len(pts) >= n {
			return pts
		}
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			return pts
		}
	}
}

// acceptMetrics decodes a metrics request and answers it (success, or a
// partial success rejecting resp.Rejected data points, the last ones).
func (r *Receiver) acceptMetrics(w http.ResponseWriter, req *http.Request, resp Response) {
	msg, isJSON, err := decodeMetrics(req)
	if err != nil {
		r.badRequest(w, err)
		return
	}
	pts := accepted(flattenMetrics(msg), resp.Rejected)
	r.mu.Lock()
	r.points = append(r.points, pts...)
	r.metricRequests++
	r.mu.Unlock()
	r.arrivedData()
	out := &colmetricspb.ExportMetricsServiceResponse{}
	if resp.Rejected > 0 || resp.Warning != "" {
		out.PartialSuccess = &colmetricspb.ExportMetricsPartialSuccess{RejectedDataPoints: resp.Rejected, ErrorMessage: resp.partialMessage()}
	}
	respond(w, out, isJSON)
}

func decodeMetrics(req *http.Request) (*colmetricspb.ExportMetricsServiceRequest, bool, error) {
	msg := &colmetricspb.ExportMetricsServiceRequest{}
	isJSON, err := decodeRequest(req, msg)
	return msg, isJSON, err
}

func flattenMetrics(msg *colmetricspb.ExportMetricsServiceRequest) []DataPoint {
	var out []DataPoint
	for _, rm := range msg.GetResourceMetrics() {
		res := attrMap(rm.GetResource().GetAttributes())
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				base := DataPoint{Resource: res, Scope: sm.GetScope().GetName(), Metric: m.GetName(), Unit: m.GetUnit()}
				switch d := m.GetData().(type) {
				case *metricspb.Metric_Summary:
					for _, dp := range d.Summary.GetDataPoints() {
						p := base
						p.Type, p.Attributes, p.Start, p.Time = "summary", attrMap(dp.GetAttributes()), dp.GetStartTimeUnixNano(), dp.GetTimeUnixNano()
						p.Count, p.Sum, p.Quantiles = dp.GetCount(), dp.GetSum(), map[float64]float64{}
						for _, q := range dp.GetQuantileValues() {
							p.Quantiles[q.GetQuantile()] = q.GetValue()
						}
						out = append(out, p)
					}
				case *metricspb.Metric_Gauge:
					out = append(out, numberPoints(base, "gauge", d.Gauge.GetDataPoints())...)
				case *metricspb.Metric_Sum:
					out = append(out, numberPoints(base, "sum", d.Sum.GetDataPoints())...)
				default:
					p := base
					p.Type = fmt.Sprintf("%T", d)
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func numberPoints(base DataPoint, typ string, dps []*metricspb.NumberDataPoint) []DataPoint {
	out := make([]DataPoint, 0, len(dps))
	for _, dp := range dps {
		p := base
		p.Type, p.Attributes, p.Start, p.Time = typ, attrMap(dp.GetAttributes()), dp.GetStartTimeUnixNano(), dp.GetTimeUnixNano()
		switch v := dp.GetValue().(type) {
		case *metricspb.NumberDataPoint_AsDouble:
			p.Value = v.AsDouble
		case *metricspb.NumberDataPoint_AsInt:
			p.Value = float64(v.AsInt)
		}
		out = append(out, p)
	}
	return out
}
