package metricscollector_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/metricscollector"
	"github.com/elb-otel/elb-otel/internal/cdktest"
)

const endpoint = "https://otlp.example.com:4318"

func alb() *[]*metricscollector.LoadBalancer {
	return &[]*metricscollector.LoadBalancer{{
		Type: elbmetrics.Application, Name: jsii.String("app/shop/50dc6c495c0c9188"),
		TargetGroups: jsii.Strings("targetgroup/shop-web/73e2d6bc24d8a067"),
	}}
}

func newStack(t *testing.T, name string) awscdk.Stack {
	t.Helper()
	app := cdktest.NewApp(t, name, nil)
	return awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
}

// containers returns the task definition's container definitions by name.
func containers(t *testing.T, tmpl assertions.Template) map[string]map[string]any {
	t.Helper()
	found := tmpl.FindResources(jsii.String("AWS::ECS::TaskDefinition"), nil)
	raw, _ := json.Marshal(found)
	var defs map[string]struct {
		Properties struct {
			ContainerDefinitions []map[string]any
		}
	}
	if err := json.Unmarshal(raw, &defs); err != nil || len(defs) != 1 {
		t.Fatalf("want one task definition, got %d (%v)", len(defs), err)
	}
	out := map[string]map[string]any{}
	for _, d := range defs {
		for _, c := range d.Properties.ContainerDefinitions {
			out[c["Name"].(string)] = c
		}
	}
	return out
}

func TestMetricsCollector_Defaults(t *testing.T) {
	stack := newStack(t, "Defaults")
	mc := metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(),
	})
	tmpl := assertions.Template_FromStack(stack, nil)

	tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
		"Cpu": "512", "Memory": "1024", "NetworkMode": "awsvpc", "RequiresCompatibilities": []any{"FARGATE"},
		"RuntimePlatform": map[string]any{"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
		"Volumes":         []any{map[string]any{"Name": "exporter-config"}},
	})
	cs := containers(t, tmpl)
	var names []string
	for n := range cs {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "cloudwatch-exporter,config-writer,otel-collector" {
		t.Fatalf("containers = %v", names)
	}
	writer, exporter, collector := cs["config-writer"], cs["cloudwatch-exporter"], cs["otel-collector"]
	if writer["Essential"] != false || exporter["Essential"] != true || collector["Essential"] != true {
		t.Errorf("essential flags: writer %v, exporter %v, collector %v", writer["Essential"], exporter["Essential"], collector["Essential"])
	}
	if exporter["Image"] != metricscollector.DefaultExporterImage || writer["Image"] != metricscollector.DefaultExporterImage ||
		collector["Image"] != metricscollector.DefaultCollectorImage {
		t.Errorf("images: %v %v %v", writer["Image"], exporter["Image"], collector["Image"])
	}
	if got := mustJSON(exporter["DependsOn"]); got != `[{"Condition":"SUCCESS","ContainerName":"config-writer"},{"Condition":"START","ContainerName":"otel-collector"}]` {
		t.Errorf("exporter DependsOn = %s", got)
	}
	if got := mustJSON(exporter["MountPoints"]); got != `[{"ContainerPath":"/elb-otel","ReadOnly":true,"SourceVolume":"exporter-config"}]` {
		t.Errorf("exporter mounts = %s", got)
	}
	if got := mustJSON(writer["MountPoints"]); got != `[{"ContainerPath":"/elb-otel","ReadOnly":false,"SourceVolume":"exporter-config"}]` {
		t.Errorf("writer mounts = %s", got)
	}
	if got := mustJSON(exporter["Command"]); got != `["/elb-otel/config.yml"]` {
		t.Errorf("exporter command = %s", got)
	}
	if got := mustJSON(collector["Command"]); got != `["--config=env:OTEL_CONFIG"]` {
		t.Errorf("collector command = %s", got)
	}
	hc := mustJSON(exporter["HealthCheck"])
	if !strings.Contains(hc, "/-/healthy") || strings.Contains(hc, "/metrics") {
		t.Errorf("exporter health check must probe /-/healthy, never /metrics: %s", hc)
	}
	// The rendered configs reach the containers through the environment.
	env := func(c map[string]any, name string) string {
		for _, e := range c["Environment"].([]any) {
			kv := e.(map[string]any)
			if kv["Name"] == name {
				return mustJSON(kv["Value"])
			}
		}
		return ""
	}
	if got := env(writer, "EXPORTER_CONFIG"); !strings.Contains(got, "period_seconds: 300") || !strings.Contains(got, "app/shop/50dc6c495c0c9188") {
		t.Errorf("EXPORTER_CONFIG does not hold the rendered config: %.300s", got)
	}
	if got := env(collector, "OTEL_CONFIG"); !strings.Contains(got, "127.0.0.1:9106") || !strings.Contains(got, endpoint) {
		t.Errorf("OTEL_CONFIG does not hold the rendered config: %.300s", got)
	}
	if *mc.ExporterConfig() == "" || *mc.CollectorConfig() == "" {
		t.Error("rendered configs not exposed")
	}

	// Task role: exactly the CloudWatch reads; targets named, so no ListMetrics.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "cloudwatch:GetMetricData", "Effect": "Allow", "Resource": "*",
		}}},
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("TaskRole"))}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
		"DesiredCount": 1, "LaunchType": "FARGATE",
		"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "ENABLED"}},
	})
	tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::ECS::Cluster"), map[string]any{
		"ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enabled"}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 30})
}

// With YACE: its pinned image (the version the tests run) for the exporter
// and the config writer, YACE's flags with the period as its round interval,
// a /healthz probe, the smallest Fargate size (YACE peaked at 47 MiB),
// ListMetrics, GetMetricData and ListAccountAliases only, and a collector that scrapes :5000 and
// keeps only the named load balancer.
func TestMetricsCollector_YACE(t *testing.T) {
	stack := newStack(t, "YACE")
	metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), Exporter: elbmetrics.YACE,
		ScrapeInterval: awscdk.Duration_Minutes(jsii.Number(1)),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{"Cpu": "256", "Memory": "512"})
	cs := containers(t, tmpl)
	writer, yace, collector := cs["config-writer"], cs["yace"], cs["otel-collector"]
	if yace == nil || writer == nil || collector == nil || len(cs) != 3 {
		t.Fatalf("containers = %v", mustJSON(cs))
	}
	if metricscollector.DefaultYACEImage != "quay.io/prometheuscommunity/yet-another-cloudwatch-exporter:"+elbmetrics.YACEVersion ||
		yace["Image"] != metricscollector.DefaultYACEImage || writer["Image"] != metricscollector.DefaultYACEImage {
		t.Errorf("images: %v %v", yace["Image"], writer["Image"])
	}
	if got := mustJSON(yace["Command"]); got != `["-config.file=/elb-otel/config.yml","-listen-address=127.0.0.1:5000","-scraping-interval=60","-labels-snake-case"]` {
		t.Errorf("yace command = %s", got)
	}
	if got := mustJSON(yace["HealthCheck"]); !strings.Contains(got, `"CMD","wget","-q","-O","/dev/null","http://127.0.0.1:5000/healthz"`) {
		t.Errorf("yace health check = %s", got)
	}
	if yace["Memory"] != float64(128) || collector["Memory"] != float64(320) || writer["Memory"] != float64(64) {
		t.Errorf("memory: yace %v, collector %v, writer %v", yace["Memory"], collector["Memory"], writer["Memory"])
	}
	if got := mustJSON(yace["DependsOn"]); got != `[{"Condition":"SUCCESS","ContainerName":"config-writer"},{"Condition":"START","ContainerName":"otel-collector"}]` {
		t.Errorf("yace DependsOn = %s", got)
	}
	cfg := mustJSON(collector["Environment"])
	for _, want := range []string{"127.0.0.1:5000", "scrape_interval: 60s", "dimension_(.+)", "(app/shop/50dc6c495c0c9188)?;"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("collector config lacks %q", want)
		}
	}
	if got := mustJSON(writer["Environment"]); !strings.Contains(got, "customNamespace") || !strings.Contains(got, "period: 60") {
		t.Errorf("EXPORTER_CONFIG is not the YACE config: %.300s", got)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": []any{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "iam:ListAccountAliases"}, "Effect": "Allow", "Resource": "*",
		}}},
	})
}

func TestMetricsCollector_AllLoadBalancersNeedsListMetrics(t *testing.T) {
	stack := newStack(t, "All")
	metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint: jsii.String(endpoint), AllLoadBalancers: jsii.Bool(true),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": []any{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics"}, "Effect": "Allow", "Resource": "*",
		}}},
	})
}

func TestMetricsCollector_HeadersComeFromSecretsManager(t *testing.T) {
	stack := newStack(t, "Headers")
	secret := awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("Secret"),
		jsii.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf"))
	metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(),
		HeadersSecret: secret, HeaderNames: jsii.Strings("api-key"),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	collector := containers(t, tmpl)["otel-collector"]
	if got := mustJSON(collector["Secrets"]); got != `[{"Name":"OTLP_HEADER_0","ValueFrom":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf:api-key::"}]` {
		t.Errorf("collector secrets = %s", got)
	}
	all := mustJSON(collector)
	if !strings.Contains(all, "${env:OTLP_HEADER_0}") {
		t.Errorf("collector config does not read the header from the environment")
	}
	// Only the execution role may read the secret.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action":   []any{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
			"Resource": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf",
		})})},
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("ExecutionRole"))}},
	})
}

func TestMetricsCollector_FailsOnMisuse(t *testing.T) {
	tests := map[string]struct {
		props   metricscollector.MetricsCollectorProps
		wantErr string
	}{
		"no endpoint, no load balancers": {
			props: metricscollector.MetricsCollectorProps{},
			wantErr: "metricscollector: OtlpEndpoint is required: the OTLP receiver, e.g. https://otlp.example.com:4318 (http/protobuf) or otlp.example.com:4317 (grpc)\n" +
				"metricscollector: name the load balancers to watch in LoadBalancers, or set AllLoadBalancers to watch every one in the region",
		},
		"grpc with a URL": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), OtlpProtocol: jsii.String("grpc"), LoadBalancers: alb()},
			wantErr: `metricscollector: OtlpEndpoint for grpc is host:port, e.g. otlp.example.com:4317, got "https://otlp.example.com:4318"`,
		},
		"plain http": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String("http://c:4318"), LoadBalancers: alb()},
			wantErr: `metricscollector: OtlpEndpoint is plain http, got "http://c:4318": use https, or allow plain http (AllowInsecureEndpoint, or context elb-otel:allowInsecureEndpoint) for a collector inside your network`,
		},
		"both target modes": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), AllLoadBalancers: jsii.Bool(true)},
			wantErr: "metricscollector: set LoadBalancers or AllLoadBalancers, not both",
		},
		"secret without header names": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), HeaderNames: jsii.Strings("api-key")},
			wantErr: "metricscollector: set HeadersSecret and HeaderNames together: HeaderNames lists the JSON keys of the secret that become OTLP headers",
		},
		"too little memory": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), MemoryLimitMiB: jsii.Number(512)},
			wantErr: "metricscollector: MemoryLimitMiB must be at least 1024: the JVM exporter needs about 512 MiB (cloudwatch_exporter issues 44 and 334), got 512\nmetricscollector: Cpu 512 with MemoryLimitMiB 512 is not a Fargate task size (e.g. 256/512-2048, 512/1024-4096, 1024/2048-8192)",
		},
		"unknown exporter": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), Exporter: "stackdriver"},
			wantErr: `metricscollector: Exporter must be "cloudwatch-exporter" or "yace", got "stackdriver"`,
		},
		"yace with too little memory": {
			props: metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), Exporter: elbmetrics.YACE,
				Cpu: jsii.Number(256), MemoryLimitMiB: jsii.Number(256)},
			wantErr: "metricscollector: MemoryLimitMiB must be at least 512 (YACE 128 MiB, config writer 64, the collector the rest), got 256\nmetricscollector: Cpu 256 with MemoryLimitMiB 256 is not a Fargate task size (e.g. 256/512-2048, 512/1024-4096, 1024/2048-8192)",
		},
		"one-minute period for the java exporter": {
			props: metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(),
				ScrapeInterval: awscdk.Duration_Minutes(jsii.Number(1))},
			wantErr: "metricscollector: elbmetrics: PeriodSeconds must be a multiple of 60 and at least 120 (ELB publishes one-minute datapoints; the window is period-60 long), got 60",
		},
		"unpinned image": {
			props:   metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(), CollectorImage: jsii.String("otel/opentelemetry-collector-contrib:latest")},
			wantErr: `metricscollector: CollectorImage must be pinned to a version tag, got "otel/opentelemetry-collector-contrib:latest"`,
		},
		"scrape timeout beyond interval": {
			props: metricscollector.MetricsCollectorProps{OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(),
				ScrapeInterval: awscdk.Duration_Minutes(jsii.Number(1)), ScrapeTimeout: awscdk.Duration_Minutes(jsii.Number(2))},
			wantErr: "metricscollector: ScrapeTimeout (2m0s) must not exceed ScrapeInterval (1m0s)",
		},
	}
	app := cdktest.NewApp(t, "Misuse", nil)
	for name, tc := range tests {
		stack := awscdk.NewStack(app, jsii.String(strings.NewReplacer(" ", "-", ",", "").Replace(name)), nil)
		t.Run(name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				if !ok {
					t.Fatal("want a panic with an error")
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error =\n%s\nwant\n%s", err, tc.wantErr)
				}
			}()
			props := tc.props
			metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &props)
		})
	}
}

func TestMetricsCollector_RejectsUnpublishedDimensionSet(t *testing.T) {
	stack := newStack(t, "Unpublished")
	defer func() {
		err, ok := recover().(error)
		if !ok || !strings.Contains(err.Error(), "ConsumedLCUs") {
			t.Fatalf("want an error naming ConsumedLCUs, got %v", err)
		}
		t.Logf("message: %v", err)
	}()
	metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint: jsii.String(endpoint), LoadBalancers: alb(),
		AddMetrics: &[]*elbmetrics.MetricRequest{{
			Type: elbmetrics.Application, Name: "ConsumedLCUs",
			Dimensions: elbmetrics.DimensionSet{"AvailabilityZone", "LoadBalancer", "TargetGroup"}, Statistics: []string{"Sum"},
		}},
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
