package elbmetrics

// Preset is a named set of metrics with the statistics to fetch for each.
// A preset only names metrics and statistics; Selection.Levels decides the
// dimension sets, and a metric is rendered at every chosen level CloudWatch
// publishes it under.
type Preset string

const (
	// PresetDefault is every metric the original guide asked for, corrected
	// (published dimension sets, Sum for counts, percentiles for response
	// time, Minimum for the health states), plus HTTPCode_Target_5XX_Count,
	// and the equivalents for Network and Classic Load Balancers.
	PresetDefault Preset = "default"
	// PresetGoldenSignals is small and cheap: traffic, errors, latency and
	// saturation, about 8 metric-statistics per load balancer and 7 per
	// target group for an ALB.
	PresetGoldenSignals Preset = "golden-signals"
	// PresetAll is the whole catalogue, each metric with all its meaningful
	// statistics and its default percentiles.
	PresetAll Preset = "all"
)

// Presets lists the presets in a fixed order.
func Presets() []Preset { return []Preset{PresetDefault, PresetGoldenSignals, PresetAll} }

// presetMetric is one metric of a preset with the statistics it fetches.
type presetMetric struct {
	name     string
	stats    []string
	extended []string
}

func pm(name string, stats ...string) presetMetric { return presetMetric{name: name, stats: stats} }

var (
	p50p90p99 = []string{"p50", "p90", "p99"}
)

// presets holds the named presets; PresetAll is computed from the catalogue.
var presets = map[Preset]map[LoadBalancerType][]presetMetric{
	PresetDefault: {
		// The original guide's 30 metrics, corrected, plus HTTPCode_Target_5XX_Count.
		Application: {
			pm("ActiveConnectionCount", Sum),
			pm("AnomalousHostCount", Maximum),
			pm("ConsumedLCUs", Average, Maximum),
			pm("DesyncMitigationMode_NonCompliant_Request_Count", Sum),
			pm("ForwardedInvalidHeaderRequestCount", Sum),
			pm("HTTPCode_ELB_4XX_Count", Sum),
			pm("HTTPCode_ELB_502_Count", Sum),
			pm("HTTPCode_ELB_503_Count", Sum),
			pm("HTTPCode_ELB_504_Count", Sum),
			pm("HTTPCode_ELB_5XX_Count", Sum),
			pm("HTTPCode_Target_2XX_Count", Sum),
			pm("HTTPCode_Target_3XX_Count", Sum),
			pm("HTTPCode_Target_4XX_Count", Sum),
			pm("HTTPCode_Target_5XX_Count", Sum),
			pm("HTTP_Fixed_Response_Count", Sum),
			pm("HealthyHostCount", Minimum),
			pm("HealthyStateDNS", Minimum),
			pm("HealthyStateRouting", Minimum),
			pm("MitigatedHostCount", Maximum),
			pm("NewConnectionCount", Sum),
			pm("PeakLCUs", Maximum),
			pm("ProcessedBytes", Sum),
			pm("RequestCount", Sum),
			pm("RequestCountPerTarget", Sum),
			pm("RuleEvaluations", Sum),
			pm("TargetConnectionErrorCount", Sum),
			{name: "TargetResponseTime", stats: []string{Average}, extended: p50p90p99},
			pm("UnHealthyHostCount", Minimum, Maximum),
			pm("UnhealthyRoutingRequestCount", Sum),
			pm("UnhealthyStateDNS", Minimum),
			pm("UnhealthyStateRouting", Minimum),
		},
		Network: {
			pm("ActiveFlowCount", Average, Maximum),
			pm("ClientTLSNegotiationErrorCount", Sum),
			pm("ConsumedLCUs", Average, Maximum),
			pm("HealthyHostCount", Minimum),
			pm("NewFlowCount", Sum),
			pm("PeakPacketsPerSecond", Maximum),
			pm("PortAllocationErrorCount", Sum),
			pm("ProcessedBytes", Sum),
			pm("ProcessedPackets", Sum),
			pm("TCP_Client_Reset_Count", Sum),
			pm("TCP_ELB_Reset_Count", Sum),
			pm("TCP_Target_Reset_Count", Sum),
			pm("TargetTLSNegotiationErrorCount", Sum),
			pm("UnHealthyHostCount", Minimum, Maximum),
		},
		Classic: {
			pm("BackendConnectionErrors", Sum),
			pm("DesyncMitigationMode_NonCompliant_Request_Count", Sum),
			pm("HTTPCode_Backend_2XX", Sum),
			pm("HTTPCode_Backend_3XX", Sum),
			pm("HTTPCode_Backend_4XX", Sum),
			pm("HTTPCode_Backend_5XX", Sum),
			pm("HTTPCode_ELB_4XX", Sum),
			pm("HTTPCode_ELB_5XX", Sum),
			pm("HealthyHostCount", Average),
			{name: "Latency", stats: []string{Average, Maximum}, extended: p50p90p99},
			pm("RequestCount", Sum),
			pm("SpilloverCount", Sum),
			pm("SurgeQueueLength", Maximum),
			pm("UnHealthyHostCount", Minimum),
		},
	},
	PresetGoldenSignals: {
		// traffic: RequestCount; errors: ELB and target 5XX; latency:
		// TargetResponseTime percentiles; saturation: connections, host counts.
		Application: {
			pm("ActiveConnectionCount", Sum),
			pm("HTTPCode_ELB_5XX_Count", Sum),
			pm("HTTPCode_Target_5XX_Count", Sum),
			pm("HealthyHostCount", Minimum),
			pm("RejectedConnectionCount", Sum),
			pm("RequestCount", Sum),
			{name: "TargetResponseTime", extended: p50p90p99},
			pm("UnHealthyHostCount", Minimum),
		},
		Network: {
			pm("ActiveFlowCount", Maximum),
			pm("HealthyHostCount", Minimum),
			pm("NewFlowCount", Sum),
			pm("ProcessedBytes", Sum),
			pm("TCP_ELB_Reset_Count", Sum),
			pm("TCP_Target_Reset_Count", Sum),
			pm("UnHealthyHostCount", Minimum),
		},
		Classic: {
			pm("HTTPCode_Backend_5XX", Sum),
			pm("HTTPCode_ELB_5XX", Sum),
			{name: "Latency", extended: p50p90p99},
			pm("RequestCount", Sum),
			pm("SpilloverCount", Sum),
			pm("SurgeQueueLength", Maximum),
			pm("UnHealthyHostCount", Minimum),
		},
	},
}

// presetMetrics returns the metrics of p for t, or false for an unknown preset.
func presetMetrics(p Preset, t LoadBalancerType) ([]presetMetric, bool) {
	if p == PresetAll {
		var out []presetMetric
		for _, m := range catalogs[t] {
			out = append(out, presetMetric{name: m.Name, stats: m.Statistics, extended: m.ExtendedStatistics})
		}
		return out, true
	}
	byType, ok := presets[p]
	if !ok {
		return nil, false
	}
	return byType[t], true
}
