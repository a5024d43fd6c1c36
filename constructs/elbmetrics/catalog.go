package elbmetrics

import (
	"slices"
	"sort"
	"strings"
)

// LoadBalancerType is the kind of Elastic Load Balancer; each publishes its
// metrics in its own CloudWatch namespace.
type LoadBalancerType string

const (
	// Application is an Application Load Balancer (AWS/ApplicationELB).
	Application LoadBalancerType = "application"
	// Network is a Network Load Balancer (AWS/NetworkELB).
	Network LoadBalancerType = "network"
	// Classic is a Classic Load Balancer (AWS/ELB).
	Classic LoadBalancerType = "classic"
)

// Types lists the load balancer types in a fixed order.
func Types() []LoadBalancerType { return []LoadBalancerType{Application, Network, Classic} }

// Namespace returns the CloudWatch namespace of t: AWS/ApplicationELB,
// AWS/NetworkELB or AWS/ELB, or "" for an unknown type.
func (t LoadBalancerType) Namespace() string {
	switch t {
	case Application:
		return "AWS/ApplicationELB"
	case Network:
		return "AWS/NetworkELB"
	case Classic:
		return "AWS/ELB"
	}
	return ""
}

// valid reports whether t is one of the three types.
func (t LoadBalancerType) valid() bool { return t.Namespace() != "" }

// Dimension names as CloudWatch publishes them.
const (
	DimLoadBalancer     = "LoadBalancer"     // ALB, NLB: app/<name>/<id>, net/<name>/<id>
	DimTargetGroup      = "TargetGroup"      // ALB, NLB: targetgroup/<name>/<id>
	DimAvailabilityZone = "AvailabilityZone" // all types
	DimLoadBalancerName = "LoadBalancerName" // CLB: the load balancer's name
)

// DimensionSet is the sorted list of dimension names one CloudWatch metric is
// published with, for example {"LoadBalancer", "TargetGroup"}. CloudWatch
// treats each set as a separate metric.
type DimensionSet []string

// String renders the set as {A, B}.
func (s DimensionSet) String() string { return "{" + strings.Join(s, ", ") + "}" }

// key is a comparable form of the set.
func (s DimensionSet) key() string { return strings.Join(s, ",") }

// sorted returns a sorted copy of s.
func (s DimensionSet) sorted() DimensionSet {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

// Has reports whether the set contains the dimension name.
func (s DimensionSet) Has(name string) bool { return slices.Contains(s, name) }

// Equal reports whether s and o hold the same names, in any order.
func (s DimensionSet) Equal(o DimensionSet) bool { return s.sorted().key() == o.sorted().key() }

// The dimension sets, named as in the reference tables.
var (
	setLB     = DimensionSet{DimLoadBalancer}
	setAZLB   = DimensionSet{DimAvailabilityZone, DimLoadBalancer}
	setTGLB   = DimensionSet{DimLoadBalancer, DimTargetGroup}
	setTGAZLB = DimensionSet{DimAvailabilityZone, DimLoadBalancer, DimTargetGroup}
	setTG     = DimensionSet{DimTargetGroup}
	setTGAZ   = DimensionSet{DimAvailabilityZone, DimTargetGroup}
	setCLB    = DimensionSet{DimLoadBalancerName}
	setAZCLB  = DimensionSet{DimAvailabilityZone, DimLoadBalancerName}
)

// CloudWatch statistics.
const (
	Sum         = "Sum"
	SampleCount = "SampleCount"
	Minimum     = "Minimum"
	Maximum     = "Maximum"
	Average     = "Average"
)

// statisticNames lists the CloudWatch statistics in the order they are rendered.
var statisticNames = []string{Average, Maximum, Minimum, SampleCount, Sum}

// Metric is one CloudWatch metric of a load balancer type.
type Metric struct {
	Type LoadBalancerType
	Name string
	// DimensionSets are all the sets CloudWatch publishes the metric under.
	DimensionSets []DimensionSet
	// Statistics are the statistics AWS calls meaningful for the metric (Sum
	// for counts, Minimum/Maximum for host counts, ...); only these can be
	// requested.
	Statistics []string
	// ExtendedStatistics are the default percentiles for a metric that has
	// them (TargetResponseTime, Latency). Any pNN.NN can be requested for such
	// a metric; none for the others.
	ExtendedStatistics []string
	// Help says what the metric measures.
	Help string
}

// Publishes reports whether CloudWatch publishes m under the set (in any order).
func (m Metric) Publishes(set DimensionSet) bool {
	for _, s := range m.DimensionSets {
		if s.Equal(set) {
			return true
		}
	}
	return false
}

// percentiles reports whether percentiles can be requested for m.
func (m Metric) percentiles() bool { return len(m.ExtendedStatistics) > 0 }

// clone returns a deep copy, so callers cannot change the catalogue.
func (m Metric) clone() Metric {
	c := m
	c.DimensionSets = make([]DimensionSet, len(m.DimensionSets))
	for i, s := range m.DimensionSets {
		c.DimensionSets[i] = slices.Clone(s)
	}
	c.Statistics = slices.Clone(m.Statistics)
	c.ExtendedStatistics = slices.Clone(m.ExtendedStatistics)
	return c
}

// Catalog returns every metric of the reference tables for t, sorted by
// name; nil for an unknown type. The result is a copy.
func Catalog(t LoadBalancerType) []Metric {
	src := catalogs[t]
	if src == nil {
		return nil
	}
	out := make([]Metric, len(src))
	for i, m := range src {
		out[i] = m.clone()
	}
	return out
}

// Lookup returns the metric of t named name.
func Lookup(t LoadBalancerType, name string) (Metric, bool) {
	m, ok := lookup(t, name)
	if !ok {
		return Metric{}, false
	}
	return m.clone(), true
}

func lookup(t LoadBalancerType, name string) (Metric, bool) {
	src := catalogs[t]
	i, ok := slices.BinarySearchFunc(src, name, func(m Metric, n string) int { return strings.Compare(m.Name, n) })
	if !ok {
		return Metric{}, false
	}
	return src[i], true
}

// catalogs holds the sorted catalogue of each type, built once from the tables.
var catalogs = map[LoadBalancerType][]Metric{
	Application: build(Application, albMetrics),
	Network:     build(Network, nlbMetrics),
	Classic:     build(Classic, clbMetrics),
}

func build(t LoadBalancerType, ms []Metric) []Metric {
	out := make([]Metric, len(ms))
	for i, m := range ms {
		m = m.clone() // the tables share their slices
		m.Type = t
		for j, s := range m.DimensionSets {
			m.DimensionSets[j] = s.sorted()
		}
		sort.Slice(m.DimensionSets, func(a, b int) bool {
			x, y := m.DimensionSets[a], m.DimensionSets[b]
			if len(x) != len(y) {
				return len(x) < len(y)
			}
			return x.key() < y.key()
		})
		m.Statistics = sortStatistics(m.Statistics)
		out[i] = m
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			panic("elbmetrics: duplicate catalogue entry " + string(t) + " " + out[i].Name)
		}
	}
	return out
}

// sortStatistics returns the statistics in rendering order, without duplicates.
func sortStatistics(in []string) []string {
	var out []string
	for _, s := range statisticNames {
		if slices.Contains(in, s) {
			out = append(out, s)
		}
	}
	return out
}

// Statistic groups, as the AWS user guides put them.
var (
	sumOnly      = []string{Sum}
	allStats     = []string{Average, Maximum, Minimum, SampleCount, Sum}
	hostCountALB = []string{Average, Minimum, Maximum} // "Average, Minimum, Maximum"
	gauge        = []string{Average, Minimum, Maximum}
	minOnly      = []string{Minimum}
	maxOnly      = []string{Maximum}
	percentiles  = []string{"p50", "p90", "p99"}
)

// lbAZ: LB; AZ+LB. all4: LB; AZ+LB; TG+LB; TG+AZ+LB. tg2: TG+LB; TG+AZ+LB.
var (
	lbAZ = []DimensionSet{setLB, setAZLB}
	all4 = []DimensionSet{setLB, setAZLB, setTGLB, setTGAZLB}
	tg2  = []DimensionSet{setTGLB, setTGAZLB}
	lb   = []DimensionSet{setLB}
)

// albMetrics is the AWS/ApplicationELB table of the reference (§2). Statistics
// marked "unconfirmed" there are chosen from the metric's kind (count: Sum;
// host count or gauge: Average/Minimum/Maximum) and say so in Help.
var albMetrics = []Metric{
	{Name: "ActiveConnectionCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Concurrent TCP connections from clients to the load balancer and from it to targets."},
	{Name: "ActiveZonalShiftHostCount", DimensionSets: tg2, Statistics: gauge,
		Help: "Targets in a zone under an active zonal shift (statistics unconfirmed)."},
	{Name: "AnomalousHostCount", DimensionSets: tg2, Statistics: gauge,
		Help: "Targets detected as anomalous by automatic target weights (statistics unconfirmed)."},
	{Name: "AppCookieNonStickinessCount", DimensionSets: lb, Statistics: sumOnly,
		Help: "Requests that could not stick to a target by application cookie (statistics unconfirmed)."},
	{Name: "ClientTLSNegotiationErrorCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Client TLS connections that failed to establish a session with the load balancer."},
	{Name: "ConsumedLCUs", DimensionSets: lb, Statistics: allStats,
		Help: "Load balancer capacity units used (billing); may lag about 30 minutes."},
	{Name: "DesyncMitigationMode_NonCompliant_Request_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Requests that do not comply with RFC 7230."},
	{Name: "DroppedInvalidHeaderRequestCount", DimensionSets: lbAZ, Statistics: allStats,
		Help: "Requests whose invalid header fields the load balancer removed."},
	{Name: "ELBAuthError", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Authenticate actions that failed on a misconfiguration or an IdP error."},
	{Name: "ELBAuthFailure", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Authenticate actions that failed because the IdP denied access."},
	{Name: "ELBAuthLatency", DimensionSets: lbAZ, Statistics: allStats,
		Help: "Time to query the IdP for the ID token and user info, in milliseconds."},
	{Name: "ELBAuthRefreshTokenSuccess", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Refreshes of claims with the IdP's refresh token that succeeded."},
	{Name: "ELBAuthSuccess", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Authenticate actions that succeeded."},
	{Name: "ELBAuthUserClaimsSizeExceeded", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "IdP user claims larger than 11K bytes."},
	{Name: "ForwardedInvalidHeaderRequestCount", DimensionSets: lbAZ, Statistics: allStats,
		Help: "Requests with invalid header fields forwarded to targets."},
	{Name: "GrpcRequestCount", DimensionSets: []DimensionSet{setLB, setTGLB, setTGAZLB, setTG, setTGAZ}, Statistics: sumOnly,
		Help: "gRPC requests processed."},
	{Name: "HTTPCode_ELB_3XX_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 3XX redirects originating from the load balancer."},
	{Name: "HTTPCode_ELB_4XX_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 4XX client errors originating from the load balancer."},
	{Name: "HTTPCode_ELB_500_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 500 errors originating from the load balancer."},
	{Name: "HTTPCode_ELB_502_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 502 errors originating from the load balancer."},
	{Name: "HTTPCode_ELB_503_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 503 errors originating from the load balancer."},
	{Name: "HTTPCode_ELB_504_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 504 errors originating from the load balancer."},
	{Name: "HTTPCode_ELB_5XX_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "HTTP 5XX server errors originating from the load balancer."},
	{Name: "HTTPCode_Target_2XX_Count", DimensionSets: all4, Statistics: sumOnly,
		Help: "HTTP 2XX responses generated by the targets."},
	{Name: "HTTPCode_Target_3XX_Count", DimensionSets: all4, Statistics: sumOnly,
		Help: "HTTP 3XX responses generated by the targets."},
	{Name: "HTTPCode_Target_4XX_Count", DimensionSets: all4, Statistics: sumOnly,
		Help: "HTTP 4XX responses generated by the targets."},
	{Name: "HTTPCode_Target_5XX_Count", DimensionSets: all4, Statistics: sumOnly,
		Help: "HTTP 5XX responses generated by the targets."},
	{Name: "HTTP_Fixed_Response_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Successful fixed-response actions."},
	{Name: "HTTP_Redirect_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Successful redirect actions."},
	{Name: "HTTP_Redirect_Url_Limit_Exceeded_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Redirect actions that failed because the Location URL exceeded 8K."},
	{Name: "HealthyHostCount", DimensionSets: tg2, Statistics: hostCountALB,
		Help: "Targets considered healthy."},
	{Name: "HealthyStateDNS", DimensionSets: tg2, Statistics: minOnly,
		Help: "Zones that meet the DNS healthy state requirements."},
	{Name: "HealthyStateRouting", DimensionSets: tg2, Statistics: minOnly,
		Help: "Zones that meet the routing healthy state requirements."},
	{Name: "IPv6ProcessedBytes", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed over IPv6."},
	{Name: "IPv6RequestCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "IPv6 requests received."},
	{Name: "LambdaInternalError", DimensionSets: []DimensionSet{setTG}, Statistics: sumOnly,
		Help: "Requests to a Lambda target that failed inside the load balancer or Lambda."},
	{Name: "LambdaTargetProcessedBytes", DimensionSets: lb, Statistics: sumOnly,
		Help: "Bytes processed for requests to and responses from Lambda targets."},
	{Name: "LambdaUserError", DimensionSets: []DimensionSet{setTGLB, setTG}, Statistics: sumOnly,
		Help: "Requests to a Lambda target that failed because of the function."},
	{Name: "LowReputationPacketsDropped", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Packets dropped from low-reputation sources (statistics unconfirmed)."},
	{Name: "LowReputationRequestsDenied", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Requests denied from low-reputation sources (statistics unconfirmed)."},
	{Name: "MitigatedHostCount", DimensionSets: tg2, Statistics: gauge,
		Help: "Targets under mitigation by automatic target weights (statistics unconfirmed)."},
	{Name: "NewConnectionCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "New TCP connections from clients to the load balancer and from it to targets."},
	{Name: "NonStickyRequestCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Requests for which a new target was chosen because stickiness could not be kept."},
	{Name: "PeakLCUs", DimensionSets: lb, Statistics: maxOnly,
		Help: "Peak load balancer capacity units (statistics unconfirmed)."},
	{Name: "ProcessedBytes", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed over IPv4 and IPv6."},
	{Name: "RejectedConnectionCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Connections rejected because the load balancer reached its maximum."},
	{Name: "RequestCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "Requests processed over IPv4 and IPv6."},
	{Name: "RequestCountPerTarget", DimensionSets: []DimensionSet{setTGLB, setTGAZLB, setTG, setTGAZ}, Statistics: sumOnly,
		Help: "Average requests per target in the target group; Sum is the only valid statistic and is already the average."},
	{Name: "ReservedLCUs", DimensionSets: lb, Statistics: maxOnly,
		Help: "Reserved load balancer capacity units (statistics unconfirmed)."},
	{Name: "RuleEvaluations", DimensionSets: lb, Statistics: sumOnly,
		Help: "Listener rules evaluated, beyond the free 10 per request."},
	{Name: "TargetConnectionErrorCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "Connections to a target that could not be established."},
	{Name: "TargetResponseTime", DimensionSets: all4, Statistics: []string{Average}, ExtendedStatistics: percentiles,
		Help: "Seconds from the request leaving the load balancer to the target's response headers."},
	{Name: "TargetTLSNegotiationErrorCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "TLS connections to targets that failed to establish a session."},
	{Name: "UnHealthyHostCount", DimensionSets: tg2, Statistics: hostCountALB,
		Help: "Targets considered unhealthy; AWS recommends alarming on a non-zero Minimum."},
	{Name: "UnhealthyRoutingRequestCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "Requests routed by the fail-open action because no target was healthy."},
	{Name: "UnhealthyStateDNS", DimensionSets: tg2, Statistics: minOnly,
		Help: "Zones that do not meet the DNS healthy state requirements."},
	{Name: "UnhealthyStateRouting", DimensionSets: tg2, Statistics: minOnly,
		Help: "Zones that do not meet the routing healthy state requirements."},
}

// nlbMetrics is the AWS/NetworkELB table of the reference (§3).
// UnhealthyRoutingFlowCount is left out: its dimension sets are unconfirmed.
var (
	nlbTLSFlow = []DimensionSet{setLB, setAZLB, setTGAZLB} // no TG+LB listed
	flowGauge  = []string{Average, Maximum, Minimum}
	nlbHosts   = []string{Maximum, Minimum}
)

var nlbMetrics = []Metric{
	{Name: "ActiveFlowCount", DimensionSets: all4, Statistics: flowGauge,
		Help: "Concurrent flows (connections) from clients to targets."},
	{Name: "ActiveFlowCount_TCP", DimensionSets: all4, Statistics: flowGauge,
		Help: "Concurrent TCP flows from clients to targets."},
	{Name: "ActiveFlowCount_TLS", DimensionSets: nlbTLSFlow, Statistics: flowGauge,
		Help: "Concurrent TLS flows from clients to targets."},
	{Name: "ActiveFlowCount_UDP", DimensionSets: all4, Statistics: flowGauge,
		Help: "Concurrent UDP flows from clients to targets."},
	{Name: "ActiveZonalShiftHostCount", DimensionSets: tg2, Statistics: gauge,
		Help: "Targets in a zone under an active zonal shift (statistics unconfirmed)."},
	{Name: "ClientTLSNegotiationErrorCount", DimensionSets: lb, Statistics: sumOnly,
		Help: "TLS handshakes between a client and a TLS listener that failed."},
	{Name: "ConsumedLCUs", DimensionSets: lb, Statistics: allStats,
		Help: "Load balancer capacity units used (billing)."},
	{Name: "ConsumedLCUs_TCP", DimensionSets: lb, Statistics: allStats,
		Help: "Load balancer capacity units used by TCP."},
	{Name: "ConsumedLCUs_TLS", DimensionSets: lb, Statistics: allStats,
		Help: "Load balancer capacity units used by TLS."},
	{Name: "ConsumedLCUs_UDP", DimensionSets: lb, Statistics: allStats,
		Help: "Load balancer capacity units used by UDP."},
	{Name: "HealthyHostCount", DimensionSets: tg2, Statistics: nlbHosts,
		Help: "Targets considered healthy."},
	{Name: "NewFlowCount", DimensionSets: all4, Statistics: sumOnly,
		Help: "New flows (connections) from clients to targets."},
	{Name: "NewFlowCount_TCP", DimensionSets: all4, Statistics: sumOnly,
		Help: "New TCP flows from clients to targets."},
	{Name: "NewFlowCount_TLS", DimensionSets: nlbTLSFlow, Statistics: sumOnly,
		Help: "New TLS flows from clients to targets."},
	{Name: "NewFlowCount_UDP", DimensionSets: all4, Statistics: sumOnly,
		Help: "New UDP flows from clients to targets."},
	{Name: "PeakPacketsPerSecond", DimensionSets: lbAZ, Statistics: maxOnly,
		Help: "Highest packet rate over 10-second windows in the period."},
	{Name: "PortAllocationErrorCount", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Ephemeral port allocation errors during client IP translation."},
	{Name: "ProcessedBytes", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed, including TCP/IP headers."},
	{Name: "ProcessedBytes_TCP", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed by TCP listeners."},
	{Name: "ProcessedBytes_TLS", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed by TLS listeners."},
	{Name: "ProcessedBytes_UDP", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Bytes processed by UDP listeners."},
	{Name: "ProcessedPackets", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Packets processed."},
	{Name: "TCP_Client_Reset_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Reset (RST) packets sent from a client to a target."},
	{Name: "TCP_ELB_Reset_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Reset (RST) packets generated by the load balancer."},
	{Name: "TCP_Target_Reset_Count", DimensionSets: lbAZ, Statistics: sumOnly,
		Help: "Reset (RST) packets sent from a target to a client."},
	{Name: "TargetTLSNegotiationErrorCount", DimensionSets: lb, Statistics: sumOnly,
		Help: "TLS handshakes between a TLS listener and a target that failed."},
	{Name: "UnHealthyHostCount", DimensionSets: tg2, Statistics: nlbHosts,
		Help: "Targets considered unhealthy."},
}

// clbMetrics is the AWS/ELB table of the reference (§4): every metric is
// published under LoadBalancerName and AvailabilityZone+LoadBalancerName. The
// Estimated* metrics are left out: their dimension sets are unconfirmed.
var clb = []DimensionSet{setCLB, setAZCLB}

var clbMetrics = []Metric{
	{Name: "BackendConnectionErrors", DimensionSets: clb, Statistics: sumOnly,
		Help: "Connections to registered instances that could not be established."},
	{Name: "DesyncMitigationMode_NonCompliant_Request_Count", DimensionSets: clb, Statistics: sumOnly,
		Help: "Requests that do not comply with RFC 7230."},
	{Name: "HTTPCode_Backend_2XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 2XX responses generated by registered instances."},
	{Name: "HTTPCode_Backend_3XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 3XX responses generated by registered instances."},
	{Name: "HTTPCode_Backend_4XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 4XX responses generated by registered instances."},
	{Name: "HTTPCode_Backend_5XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 5XX responses generated by registered instances."},
	{Name: "HTTPCode_ELB_4XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 4XX client errors generated by the load balancer."},
	{Name: "HTTPCode_ELB_5XX", DimensionSets: clb, Statistics: sumOnly,
		Help: "HTTP 5XX server errors generated by the load balancer."},
	{Name: "HealthyHostCount", DimensionSets: clb, Statistics: []string{Average, Maximum},
		Help: "Healthy registered instances."},
	{Name: "Latency", DimensionSets: clb, Statistics: []string{Average, Maximum}, ExtendedStatistics: percentiles,
		Help: "Seconds from the request leaving the load balancer to the instance's response headers (percentile support for CLB unconfirmed)."},
	{Name: "RequestCount", DimensionSets: clb, Statistics: sumOnly,
		Help: "Requests completed or connections made."},
	{Name: "SpilloverCount", DimensionSets: clb, Statistics: sumOnly,
		Help: "Requests rejected because the surge queue was full."},
	{Name: "SurgeQueueLength", DimensionSets: clb, Statistics: maxOnly,
		Help: "Requests pending routing to a healthy instance (max 1,024)."},
	{Name: "UnHealthyHostCount", DimensionSets: clb, Statistics: []string{Average, Minimum},
		Help: "Unhealthy registered instances."},
}
