package metricscollector

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
)

// Default container images, pinned. Override with ExporterImage and
// CollectorImage. DefaultYACEImage's tag is elbmetrics.YACEVersion, the
// version its config is rendered for and the tests run.
const (
	DefaultExporterImage  = "quay.io/prometheus/cloudwatch-exporter:v0.18.0"
	DefaultYACEImage      = "quay.io/prometheuscommunity/yet-another-cloudwatch-exporter:" + elbmetrics.YACEVersion
	DefaultCollectorImage = "otel/opentelemetry-collector-contrib:0.159.0"
)

// LoadBalancer names one load balancer to watch, by its CloudWatch dimension
// values. Tokens work (e.g. alb.LoadBalancerFullName()).
type LoadBalancer struct {
	// Type is the load balancer's type.
	Type elbmetrics.LoadBalancerType
	// Name is the LoadBalancer dimension value: app/<name>/<id> for an ALB
	// (LoadBalancerFullName()), net/<name>/<id> for an NLB, the name for a
	// Classic load balancer.
	Name *string
	// TargetGroups are its target groups' TargetGroup dimension values,
	// targetgroup/<name>/<id> (TargetGroupFullName()). Default: none, so no
	// per-target-group metrics.
	TargetGroups *[]*string
}

// MetricsCollectorProps configures a MetricsCollector. OtlpEndpoint and the
// load balancers to watch are required.
type MetricsCollectorProps struct {
	// OtlpEndpoint is where metrics go: for http/protobuf the base URL
	// (https://otlp.example.com:4318), for grpc host:port.
	OtlpEndpoint *string
	// OtlpProtocol is "http/protobuf" or "grpc". Default: "http/protobuf".
	OtlpProtocol *string
	// AllowInsecureEndpoint permits http:// or gRPC without TLS. Default: false.
	AllowInsecureEndpoint *bool
	// HeadersSecret is a Secrets Manager secret holding a JSON object of OTLP
	// header name to value; HeaderNames lists the keys to use. The values
	// reach the collector through ECS secrets, never plain environment.
	HeadersSecret awssecretsmanager.ISecret
	// HeaderNames are the header names (JSON keys of HeadersSecret).
	HeaderNames *[]*string
	// ResourceAttributes are added to every metric's resource. Default: none.
	ResourceAttributes *map[string]*string

	// LoadBalancers are the load balancers to watch. Set them, or
	// AllLoadBalancers.
	LoadBalancers *[]*LoadBalancer
	// AllLoadBalancers watches every load balancer of Types in the region,
	// found with ListMetrics. Default: false.
	AllLoadBalancers *bool
	// Types limits AllLoadBalancers to these types. Default: all three.
	Types *[]elbmetrics.LoadBalancerType
	// Exporter reads CloudWatch: elbmetrics.CloudWatchExporter (Java, the
	// original guide's; GetMetricData with every load balancer and target
	// group pinned, so no ListMetrics) or elbmetrics.YACE (Go, a tenth of the
	// memory; ListMetrics and GetMetricData per namespace and dimension set,
	// the collector keeping only LoadBalancers' series). Both read the same
	// metrics, and the collector gives their series the same names and
	// labels. Default: elbmetrics.CloudWatchExporter.
	Exporter elbmetrics.ExporterKind
	// Preset is the metric set. Default: elbmetrics.PresetDefault.
	Preset elbmetrics.Preset
	// Levels are the dimension levels to query. Default: load balancer and
	// target group (per-AZ multiplies series and cost by the AZ count).
	Levels *[]elbmetrics.Level
	// AddMetrics adds metrics to the preset; each must name a dimension set
	// CloudWatch publishes. Default: none.
	AddMetrics *[]*elbmetrics.MetricRequest
	// DropMetrics removes metrics (by name) from the preset. Default: none.
	DropMetrics *[]*string
	// ScrapeInterval is the collector's scrape interval and the exporter's
	// period. Default: 5 minutes.
	ScrapeInterval awscdk.Duration
	// ScrapeTimeout bounds one scrape (a full CloudWatch round). Default: 2
	// minutes, or ScrapeInterval when that is shorter.
	ScrapeTimeout awscdk.Duration

	// Vpc runs the task. Default: a new VPC with public subnets only and no
	// NAT gateway (the task gets a public IP and an egress-only security
	// group).
	Vpc awsec2.IVpc
	// VpcSubnets selects the task's subnets. Default: public subnets of a new
	// VPC, private-with-egress ones of a given VPC.
	VpcSubnets *awsec2.SubnetSelection
	// Cluster runs the service. Default: a new cluster with Container Insights.
	Cluster awsecs.ICluster
	// Cpu is the task's CPU units. Default: 512 for cloudwatch_exporter, 256
	// for YACE.
	Cpu *float64
	// MemoryLimitMiB is the task's memory: the JVM exporter gets half, YACE
	// 128 MiB (it peaked at 47 MiB RSS here), the config writer 64 and the
	// collector the rest. Default: 1024 for cloudwatch_exporter, 512 for YACE.
	MemoryLimitMiB *float64
	// Architecture is the task's CPU architecture. Default: ARM64.
	Architecture awsecs.CpuArchitecture
	// ExporterImage is the exporter's image. Default: DefaultExporterImage,
	// or DefaultYACEImage for YACE.
	ExporterImage *string
	// CollectorImage is the OpenTelemetry Collector image. Default:
	// DefaultCollectorImage.
	CollectorImage *string
	// LogRetention of both containers' log group. Default: one month.
	LogRetention awslogs.RetentionDays
	// Debug adds the collector's debug exporter (metrics in its log).
	// Default: false.
	Debug *bool
}
