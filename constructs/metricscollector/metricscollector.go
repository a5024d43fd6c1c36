package metricscollector

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/contract"
)

// Paths and names inside the task.
const (
	configVolume    = "exporter-config"
	configDir       = "/elb-otel"
	exporterConfig  = configDir + "/config.yml"
	envExporterConf = "EXPORTER_CONFIG"
	envOtelConfig   = "OTEL_CONFIG"
	// Container memory besides the exporter's and collector's shares.
	configWriterMiB = 64
	yaceMiB         = 128
)

// MetricsCollector runs one Fargate task that turns ELB CloudWatch metrics
// into OTLP metrics: an exporter (prometheus cloudwatch_exporter or YACE,
// config rendered from the typed metric catalogue, written by an init
// container into a task volume) scraped by an OpenTelemetry Collector (config
// from an environment variable) that exports to the OTLP endpoint.
type MetricsCollector interface {
	constructs.Construct
	// Service is the Fargate service (one task).
	Service() awsecs.FargateService
	// TaskDefinition holds the init, exporter and collector containers.
	TaskDefinition() awsecs.FargateTaskDefinition
	// TaskRole is the role the exporter calls CloudWatch with.
	TaskRole() awsiam.IRole
	// LogGroup receives the containers' logs.
	LogGroup() awslogs.ILogGroup
	// ExporterConfig and CollectorConfig are the rendered configs (they may
	// hold tokens for load balancer names).
	ExporterConfig() *string
	CollectorConfig() *string
}

type metricsCollector struct {
	constructs.Construct
	service   awsecs.FargateService
	taskDef   awsecs.FargateTaskDefinition
	logGroup  awslogs.ILogGroup
	exporter  string
	collector string
}

func (m *metricsCollector) Service() awsecs.FargateService               { return m.service }
func (m *metricsCollector) TaskDefinition() awsecs.FargateTaskDefinition { return m.taskDef }
func (m *metricsCollector) TaskRole() awsiam.IRole                       { return m.taskDef.TaskRole() }
func (m *metricsCollector) LogGroup() awslogs.ILogGroup                  { return m.logGroup }
func (m *metricsCollector) ExporterConfig() *string                      { return jsii.String(m.exporter) }
func (m *metricsCollector) CollectorConfig() *string                     { return jsii.String(m.collector) }

type settings struct {
	exporter     elbmetrics.ExporterConfig
	collector    elbmetrics.CollectorConfig
	cpu          float64
	memoryMiB    float64
	arch         awsecs.CpuArchitecture
	exporterImg  string
	collectorImg string
	retention    awslogs.RetentionDays
	headers      []string
}

// kind is the exporter the task runs.
func (s settings) kind() elbmetrics.ExporterKind { return s.exporter.Exporter }

// exporterMiB is the exporter container's hard memory limit: half the task
// for the JVM, yaceMiB for YACE.
func (s settings) exporterMiB() float64 {
	if s.kind() == elbmetrics.YACE {
		return yaceMiB
	}
	return s.memoryMiB / 2
}

// collectorMiB is the collector container's hard memory limit: the rest.
func (s settings) collectorMiB() float64 { return s.memoryMiB - s.exporterMiB() - configWriterMiB }

// NewMetricsCollector creates the collector. It panics with an error listing
// every invalid prop, so misconfiguration fails `cdk synth` with a fix-it
// message.
func NewMetricsCollector(scope constructs.Construct, id *string, props *MetricsCollectorProps) MetricsCollector {
	if props == nil {
		props = &MetricsCollectorProps{}
	}
	// The stack's region: a literal, or a token CloudFormation resolves
	// (AWS::Region) inside the rendered config.
	cfg, err := validate(props, *awscdk.Stack_Of(scope).Region())
	if err != nil {
		panic(err)
	}
	// Render checks the pair too: the scrape interval equals the period.
	exporterYAML, collectorYAML, err := elbmetrics.Render(cfg.exporter, cfg.collector)
	if err != nil {
		panic(fmt.Errorf("metricscollector: %w", err))
	}

	this := constructs.NewConstruct(scope, id)
	m := &metricsCollector{Construct: this, exporter: string(exporterYAML), collector: string(collectorYAML)}
	cluster, vpc, subnets, newVpc := m.network(props)
	m.logGroup = awslogs.NewLogGroup(this, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		Retention:     cfg.retention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	m.taskDef = awsecs.NewFargateTaskDefinition(this, jsii.String("TaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		Cpu:            jsii.Number(cfg.cpu),
		MemoryLimitMiB: jsii.Number(cfg.memoryMiB),
		RuntimePlatform: &awsecs.RuntimePlatform{
			CpuArchitecture:       cfg.arch,
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
		},
		Volumes: &[]*awsecs.Volume{{Name: jsii.String(configVolume)}},
	})
	m.grantCloudWatch(cfg)
	m.addContainers(cfg, props)

	sg := awsec2.NewSecurityGroup(this, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("elb-otel metrics collector: no inbound; outbound to AWS APIs, image registries and the OTLP endpoint"),
		AllowAllOutbound: jsii.Bool(true),
	})
	m.service = awsecs.NewFargateService(this, jsii.String("Service"), &awsecs.FargateServiceProps{
		Cluster:              cluster,
		TaskDefinition:       m.taskDef,
		DesiredCount:         jsii.Number(1),
		AssignPublicIp:       jsii.Bool(newVpc),
		VpcSubnets:           subnets,
		SecurityGroups:       &[]awsec2.ISecurityGroup{sg},
		MinHealthyPercent:    jsii.Number(0),
		MaxHealthyPercent:    jsii.Number(100),
		CircuitBreaker:       &awsecs.DeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
		EnableECSManagedTags: jsii.Bool(true),
	})
	m.nagSuppressions(newVpc)
	return m
}

// network returns the cluster, VPC and subnets the service runs in: the
// given ones, or a new cluster in a new VPC with public subnets only.
func (m *metricsCollector) network(props *MetricsCollectorProps) (awsecs.ICluster, awsec2.IVpc, *awsec2.SubnetSelection, bool) {
	cluster, vpc, subnets := props.Cluster, props.Vpc, props.VpcSubnets
	if cluster != nil {
		return cluster, cluster.Vpc(), subnets, false
	}
	newVpc := false
	if vpc == nil {
		vpc = awsec2.NewVpc(m.Construct, jsii.String("Vpc"), &awsec2.VpcProps{
			MaxAzs:      jsii.Number(2),
			NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
				Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24),
			}},
		})
		newVpc = true
	}
	cluster = awsecs.NewCluster(m.Construct, jsii.String("Cluster"), &awsecs.ClusterProps{
		Vpc:                 vpc,
		ContainerInsightsV2: awsecs.ContainerInsights_ENABLED,
	})
	if subnets == nil && newVpc {
		subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC}
	}
	return cluster, vpc, subnets, newVpc
}

func (m *metricsCollector) logging(prefix string) awsecs.LogDriver {
	return awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: m.logGroup, StreamPrefix: jsii.String(prefix)})
}

// addContainers adds the config writer, the collector and the exporter; the
// exporter starts after the config writer succeeded and the collector
// started, so its first round is scraped.
func (m *metricsCollector) addContainers(cfg settings, props *MetricsCollectorProps) {
	exporterImage := awsecs.ContainerImage_FromRegistry(jsii.String(cfg.exporterImg), nil)
	// The init container writes the exporter's config file into the task
	// volume, then exits (both exporter images have a shell: bash, busybox).
	initContainer := m.taskDef.AddContainer(jsii.String("ConfigWriter"), &awsecs.ContainerDefinitionOptions{
		ContainerName:  jsii.String("config-writer"),
		Image:          exporterImage,
		Essential:      jsii.Bool(false),
		User:           jsii.String("0"),
		EntryPoint:     jsii.Strings("sh", "-c"),
		Command:        jsii.Strings(`umask 022 && printf '%s' "$` + envExporterConf + `" > ` + exporterConfig),
		Environment:    &map[string]*string{envExporterConf: jsii.String(m.exporter)},
		Logging:        m.logging("config-writer"),
		MemoryLimitMiB: jsii.Number(configWriterMiB),
	})
	initContainer.AddMountPoints(&awsecs.MountPoint{SourceVolume: jsii.String(configVolume), ContainerPath: jsii.String(configDir), ReadOnly: jsii.Bool(false)})
	collector := m.addCollector(cfg, props)

	var exporter awsecs.ContainerDefinition
	if cfg.kind() == elbmetrics.YACE {
		exporter = m.addYACE(cfg, exporterImage)
	} else {
		exporter = m.addCloudWatchExporter(cfg, exporterImage)
	}
	exporter.AddMountPoints(&awsecs.MountPoint{SourceVolume: jsii.String(configVolume), ContainerPath: jsii.String(configDir), ReadOnly: jsii.Bool(true)})
	exporter.AddContainerDependencies(
		&awsecs.ContainerDependency{Container: initContainer, Condition: awsecs.ContainerDependencyCondition_SUCCESS},
		&awsecs.ContainerDependency{Container: collector, Condition: awsecs.ContainerDependencyCondition_START},
	)
}

func (m *metricsCollector) addCollector(cfg settings, props *MetricsCollectorProps) awsecs.ContainerDefinition {
	collectorEnv := map[string]*string{
		envOtelConfig: jsii.String(m.collector),
		// The Go runtime keeps the heap under 80% of the container's share.
		"GOMEMLIMIT": jsii.String(fmt.Sprintf("%dMiB", int(cfg.collectorMiB()*0.8))),
	}
	// Resource attributes reach the collector's env detector.
	for k, v := range cfg.collector.Environment() {
		collectorEnv[k] = jsii.String(v)
	}
	var collectorSecrets map[string]awsecs.Secret
	if len(cfg.headers) > 0 {
		collectorSecrets = map[string]awsecs.Secret{}
		for i, h := range cfg.headers {
			collectorSecrets[headerEnv(i)] = awsecs.Secret_FromSecretsManager(props.HeadersSecret, jsii.String(h))
		}
	}
	if strings.Contains(m.collector, "${") {
		acknowledgeEnvReferences(m.taskDef)
	}
	return m.taskDef.AddContainer(jsii.String("Collector"), &awsecs.ContainerDefinitionOptions{
		ContainerName:  jsii.String("otel-collector"),
		Image:          awsecs.ContainerImage_FromRegistry(jsii.String(cfg.collectorImg), nil),
		Essential:      jsii.Bool(true),
		Command:        jsii.Strings("--config=env:" + envOtelConfig),
		Environment:    &collectorEnv,
		Secrets:        &collectorSecrets,
		Logging:        m.logging("otel-collector"),
		MemoryLimitMiB: jsii.Number(cfg.collectorMiB()),
		// The contrib image is FROM scratch: no shell for a health command.
		// ECS watches the process; the collector exits on a config error.
	})
}

func (m *metricsCollector) addCloudWatchExporter(cfg settings, image awsecs.ContainerImage) awsecs.ContainerDefinition {
	return m.taskDef.AddContainer(jsii.String("Exporter"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String("cloudwatch-exporter"),
		Image:         image,
		Essential:     jsii.Bool(true),
		Command:       jsii.Strings(exporterConfig),
		Environment: &map[string]*string{
			// Keep the JVM inside its share of the task's memory.
			"JAVA_TOOL_OPTIONS": jsii.String("-XX:MaxRAMPercentage=75"),
		},
		Logging:        m.logging("cloudwatch-exporter"),
		MemoryLimitMiB: jsii.Number(cfg.exporterMiB()),
		HealthCheck: &awsecs.HealthCheck{
			// /-/healthy answers "ok" without calling AWS; never probe
			// /metrics, which runs a whole CloudWatch round. The image has
			// bash but no curl, so the probe speaks HTTP over /dev/tcp.
			Command: jsii.Strings("CMD", "bash", "-c",
				fmt.Sprintf(`exec 3<>/dev/tcp/127.0.0.1/%d && printf 'GET /-/healthy HTTP/1.0\r\n\r\n' >&3 && grep -q ok <&3`, elbmetrics.CloudWatchExporter.Port())),
			Interval:    awscdk.Duration_Seconds(jsii.Number(30)),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(5)),
			Retries:     jsii.Number(3),
			StartPeriod: awscdk.Duration_Seconds(jsii.Number(60)),
		},
	})
}

// addYACE adds YACE: its own round every period (-scraping-interval), served
// on 127.0.0.1:5000; /healthz answers without calling AWS, probed with the
// image's busybox wget.
func (m *metricsCollector) addYACE(cfg settings, image awsecs.ContainerImage) awsecs.ContainerDefinition {
	return m.taskDef.AddContainer(jsii.String("Exporter"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String("yace"),
		Image:         image,
		Essential:     jsii.Bool(true),
		Command:       jsii.Strings(elbmetrics.YACEArgs(exporterConfig, cfg.exporter.PeriodSeconds)...),
		Environment: &map[string]*string{
			"GOMEMLIMIT": jsii.String(fmt.Sprintf("%dMiB", int(cfg.exporterMiB()*0.8))),
		},
		Logging:        m.logging("yace"),
		MemoryLimitMiB: jsii.Number(cfg.exporterMiB()),
		HealthCheck: &awsecs.HealthCheck{
			Command: jsii.Strings("CMD", "wget", "-q", "-O", "/dev/null",
				fmt.Sprintf("http://127.0.0.1:%d/healthz", elbmetrics.YACE.Port())),
			Interval:    awscdk.Duration_Seconds(jsii.Number(30)),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(5)),
			Retries:     jsii.Number(3),
			StartPeriod: awscdk.Duration_Seconds(jsii.Number(10)),
		},
	})
}

func headerEnv(i int) string { return fmt.Sprintf("OTLP_HEADER_%d", i) }

// acknowledgeEnvReferences acknowledges the CDK's template validation rule
// E1029 on the task definition, which the recommended feature flag
// @aws-cdk/core:validateAgainstDefaultRules turns into a synth error: the
// collector config holds ${env:OTLP_HEADER_n}, the collector's own syntax for
// reading its environment (where ECS puts the secret's values), and with YACE
// ${1}, a relabel rule's regular expression group. Outside an Fn::Sub
// CloudFormation leaves the text as written, which is what the collector must
// receive.
func acknowledgeEnvReferences(taskDef awsecs.FargateTaskDefinition) {
	awscdk.Validations_Of(taskDef).Acknowledge(&awscdk.Acknowledgment{
		Id: jsii.String("CloudFormation-Validate::E1029"),
		Reason: jsii.String("${env:OTLP_HEADER_n} and ${1} in the collector config are the collector's syntax for its environment " +
			"(the ECS secrets) and a relabel rule's regular expression group, not CloudFormation parameters: they must reach the container as written"),
	})
}

// grantCloudWatch gives the task role exactly the CloudWatch reads the
// rendered exporter config makes (elbmetrics.APIActions).
func (m *metricsCollector) grantCloudWatch(cfg settings) {
	m.taskDef.AddToTaskRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings(elbmetrics.APIActions(cfg.exporter)...),
		// CloudWatch metric reads have no resource-level permissions.
		Resources: jsii.Strings("*"),
	}))
}

func (m *metricsCollector) nagSuppressions(newVpc bool) {
	cdknag.NagSuppressions_AddResourceSuppressions(m.taskDef, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("cloudwatch:GetMetricData, GetMetricStatistics and ListMetrics, and iam:ListAccountAliases (YACE's " +
				"account_alias label), support no resource-level permissions (AWS Service Authorization Reference), so their Resource " +
				"must be \"*\"; only the read actions the exporter's config makes are granted"),
			AppliesTo: &[]interface{}{jsii.String("Resource::*")},
		},
		{
			Id: jsii.String("AwsSolutions-ECS2"),
			Reason: jsii.String("the environment holds the rendered exporter and collector configs and memory settings, " +
				"none secret; OTLP headers come from Secrets Manager through ECS secrets"),
		},
	}, jsii.Bool(true))
	if newVpc {
		cdknag.NagSuppressions_AddResourceSuppressions(m.Construct.Node().FindChild(jsii.String("Vpc")), &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-VPC7"),
			Reason: jsii.String("a minimal VPC for one task with no inbound traffic and egress only to AWS APIs and the OTLP " +
				"endpoint; flow logs would cost more than the task. Pass your own Vpc where flow logs are required"),
		}}, jsii.Bool(true))
	}
}

func validate(p *MetricsCollectorProps, region string) (settings, error) {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("metricscollector: "+format, a...)) }
	cfg := settings{
		cpu: 512, memoryMiB: 1024, arch: awsecs.CpuArchitecture_ARM64(),
		exporterImg: DefaultExporterImage, collectorImg: DefaultCollectorImage,
		retention: awslogs.RetentionDays_ONE_MONTH,
	}
	kind := p.Exporter
	switch kind {
	case "", elbmetrics.CloudWatchExporter:
		kind = elbmetrics.CloudWatchExporter
	case elbmetrics.YACE:
		// YACE peaked at 47 MiB RSS here (one ALB, default preset): the smallest Fargate size fits.
		cfg.cpu, cfg.memoryMiB, cfg.exporterImg = 256, 512, DefaultYACEImage
	default:
		add("Exporter must be %q or %q, got %q", elbmetrics.CloudWatchExporter, elbmetrics.YACE, kind)
	}
	endpoint, protocol, insecure, headerEnvs := validateEndpoint(p, add, &cfg)
	interval, timeout := validateTiming(p, add)
	targets := validateTargets(p, add)
	cfg.exporter = elbmetrics.ExporterConfig{
		Exporter:         kind,
		Region:           region,
		PeriodSeconds:    int(interval / time.Second),
		UseGetMetricData: true,
		Targets:          targets,
		Selection:        selection(p),
	}
	if p.Types != nil {
		cfg.exporter.Types = *p.Types
	}
	if len(errs) == 0 {
		if _, err := cfg.exporter.Rules(); err != nil {
			errs = append(errs, fmt.Errorf("metricscollector: %w", err))
		}
	}
	cfg.collector = elbmetrics.CollectorConfig{
		Exporter:           kind,
		ScrapeInterval:     interval,
		ScrapeTimeout:      timeout,
		Endpoint:           endpoint,
		Protocol:           protocol,
		Compression:        "gzip",
		HeaderEnv:          headerEnvs,
		Insecure:           insecure,
		ResourceAttributes: resourceAttributes(p),
		Debug:              p.Debug != nil && *p.Debug,
	}
	if kind == elbmetrics.YACE {
		// YACE lists every load balancer of the namespace: keep the named ones.
		for _, t := range targets {
			cfg.collector.KeepLoadBalancers = append(cfg.collector.KeepLoadBalancers, t.LoadBalancer)
		}
	}
	validateTask(p, add, &cfg)
	return cfg, errors.Join(errs...)
}

func validateEndpoint(p *MetricsCollectorProps, add func(string, ...any), cfg *settings) (endpoint, protocol string, insecure bool, headerEnvs map[string]string) {
	protocol = "http/protobuf"
	if p.OtlpProtocol != nil {
		protocol = *p.OtlpProtocol
		if protocol != "http/protobuf" && protocol != "grpc" {
			add("OtlpProtocol must be \"http/protobuf\" or \"grpc\", got %q", protocol)
		}
	}
	insecure = p.AllowInsecureEndpoint != nil && *p.AllowInsecureEndpoint
	if p.OtlpEndpoint != nil {
		endpoint = *p.OtlpEndpoint
	}
	switch {
	case endpoint == "":
		add("OtlpEndpoint is required: the OTLP receiver, e.g. https://otlp.example.com:4318 (http/protobuf) or otlp.example.com:4317 (grpc)")
	case protocol == "grpc":
		if strings.Contains(endpoint, "://") {
			add("OtlpEndpoint for grpc is host:port, e.g. otlp.example.com:4317, got %q", endpoint)
		}
	case *awscdk.Token_IsUnresolved(jsii.String(endpoint)):
		// A CDK token is not validated, as in aws-cdk-lib.
	default:
		if err := contract.ValidateEndpoint(endpoint, contract.EndpointRules{AllowHTTP: insecure}); err != nil {
			add("OtlpEndpoint %v", err)
		}
	}
	if (p.HeadersSecret == nil) != (p.HeaderNames == nil || len(*p.HeaderNames) == 0) {
		add("set HeadersSecret and HeaderNames together: HeaderNames lists the JSON keys of the secret that become OTLP headers")
	}
	headerEnvs = map[string]string{}
	if p.HeaderNames != nil {
		for i, h := range *p.HeaderNames {
			if h == nil || *h == "" {
				add("HeaderNames[%d] is empty", i)
				continue
			}
			cfg.headers = append(cfg.headers, *h)
			headerEnvs[*h] = headerEnv(len(cfg.headers) - 1)
		}
	}
	return endpoint, protocol, insecure, headerEnvs
}

func validateTiming(p *MetricsCollectorProps, add func(string, ...any)) (interval, timeout time.Duration) {
	interval, timeout = 300*time.Second, 120*time.Second
	if p.ScrapeInterval != nil {
		interval = time.Duration(*p.ScrapeInterval.ToSeconds(nil)) * time.Second
		if interval < time.Minute || interval%time.Minute != 0 {
			add("ScrapeInterval must be a whole number of minutes (CloudWatch's ELB period is 60 s), got %v", interval)
		}
	}
	if p.ScrapeTimeout != nil {
		timeout = time.Duration(*p.ScrapeTimeout.ToSeconds(nil)) * time.Second
	} else if timeout > interval {
		timeout = interval
	}
	if timeout > interval {
		add("ScrapeTimeout (%v) must not exceed ScrapeInterval (%v)", timeout, interval)
	}
	return interval, timeout
}

func validateTargets(p *MetricsCollectorProps, add func(string, ...any)) []elbmetrics.Target {
	all := p.AllLoadBalancers != nil && *p.AllLoadBalancers
	var targets []elbmetrics.Target
	if p.LoadBalancers != nil {
		for i, lb := range *p.LoadBalancers {
			if lb == nil || lb.Name == nil || *lb.Name == "" {
				add("LoadBalancers[%d] needs a Name (the LoadBalancer dimension value, e.g. alb.LoadBalancerFullName())", i)
				continue
			}
			t := elbmetrics.Target{Type: lb.Type, LoadBalancer: *lb.Name}
			if lb.TargetGroups != nil {
				for _, tg := range *lb.TargetGroups {
					if tg != nil && *tg != "" {
						t.TargetGroups = append(t.TargetGroups, *tg)
					}
				}
			}
			targets = append(targets, t)
		}
	}
	switch {
	case all && len(targets) > 0:
		add("set LoadBalancers or AllLoadBalancers, not both")
	case !all && len(targets) == 0:
		add("name the load balancers to watch in LoadBalancers, or set AllLoadBalancers to watch every one in the region")
	}
	return targets
}

func selection(p *MetricsCollectorProps) elbmetrics.Selection {
	sel := elbmetrics.Selection{Preset: p.Preset}
	if p.Levels != nil {
		sel.Levels = *p.Levels
	}
	if p.AddMetrics != nil {
		for _, mr := range *p.AddMetrics {
			if mr != nil {
				sel.Add = append(sel.Add, *mr)
			}
		}
	}
	if p.DropMetrics != nil {
		for _, d := range *p.DropMetrics {
			if d != nil {
				sel.Drop = append(sel.Drop, *d)
			}
		}
	}
	return sel
}

func resourceAttributes(p *MetricsCollectorProps) map[string]string {
	attrs := map[string]string{}
	if p.ResourceAttributes != nil {
		keys := make([]string, 0, len(*p.ResourceAttributes))
		for k := range *p.ResourceAttributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v := (*p.ResourceAttributes)[k]; v != nil {
				attrs[k] = *v
			}
		}
	}
	return attrs
}

// validateTask checks the task size, architecture, images and log retention.
func validateTask(p *MetricsCollectorProps, add func(string, ...any), cfg *settings) {
	if p.Cpu != nil {
		cfg.cpu = *p.Cpu
	}
	if p.MemoryLimitMiB != nil {
		cfg.memoryMiB = *p.MemoryLimitMiB
		if cfg.kind() == elbmetrics.YACE && cfg.memoryMiB < 512 {
			add("MemoryLimitMiB must be at least 512 (YACE 128 MiB, config writer 64, the collector the rest), got %v", cfg.memoryMiB)
		} else if cfg.kind() != elbmetrics.YACE && cfg.memoryMiB < 1024 {
			add("MemoryLimitMiB must be at least 1024: the JVM exporter needs about 512 MiB (cloudwatch_exporter issues 44 and 334), got %v", cfg.memoryMiB)
		}
	}
	if !validFargateSize(cfg.cpu, cfg.memoryMiB) {
		add("Cpu %v with MemoryLimitMiB %v is not a Fargate task size (e.g. 256/512-2048, 512/1024-4096, 1024/2048-8192)", cfg.cpu, cfg.memoryMiB)
	}
	if p.Architecture != nil {
		cfg.arch = p.Architecture
	}
	if p.ExporterImage != nil {
		cfg.exporterImg = *p.ExporterImage
		if !strings.Contains(cfg.exporterImg, ":") || strings.HasSuffix(cfg.exporterImg, ":latest") {
			add("ExporterImage must be pinned to a version tag, got %q", cfg.exporterImg)
		}
	}
	if p.CollectorImage != nil {
		cfg.collectorImg = *p.CollectorImage
		if !strings.Contains(cfg.collectorImg, ":") || strings.HasSuffix(cfg.collectorImg, ":latest") {
			add("CollectorImage must be pinned to a version tag, got %q", cfg.collectorImg)
		}
	}
	if p.LogRetention != "" {
		cfg.retention = p.LogRetention
	}
}

// validFargateSize reports whether cpu/memory is a supported Fargate size.
func validFargateSize(cpu, mem float64) bool {
	between := func(lo, hi, step float64) bool {
		return mem >= lo && mem <= hi && int(mem)%int(step) == 0
	}
	switch cpu {
	case 256:
		return mem == 512 || mem == 1024 || mem == 2048
	case 512:
		return between(1024, 4096, 1024)
	case 1024:
		return between(2048, 8192, 1024)
	case 2048:
		return between(4096, 16384, 1024)
	case 4096:
		return between(8192, 30720, 1024)
	}
	return false
}
