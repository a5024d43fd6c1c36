package test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/metricscollector"
	"github.com/elb-otel/elb-otel/infra/stacks"
	"github.com/elb-otel/elb-otel/internal/cdktest"
	"github.com/elb-otel/elb-otel/internal/golden"
)

// synthApp builds the app as `cdk synth` does, with cdk.json's context.
func synthApp(t *testing.T, name string, extra map[string]any) (awscdk.App, awscdk.Stack) {
	t.Helper()
	app := cdktest.NewApp(t, name, extra)
	stacks.Build(app)
	stack := app.Node().FindChild(jsii.String(stacks.LogsStackName)).(awscdk.Stack)
	return app, stack
}

func TestApp_LogsStackMatchesSnapshot(t *testing.T) {
	_, stack := synthApp(t, "Snapshot", nil)
	golden.Assert(t, "ElbOtelLogs.template", cdktest.TemplateJSON(t, stack))
}

func TestApp_PassesCdkNagAndCfnLint(t *testing.T) {
	app, stack := synthApp(t, "Nag", nil)
	for _, e := range cdktest.NagErrors(stack) {
		t.Errorf("cdk-nag: %s", e)
	}
	cdktest.CfnLint(t, app, stack)
}

func TestApp_FailsOnBadContext(t *testing.T) {
	tests := map[string]struct {
		context map[string]any
		wantErr string
	}{
		"missing endpoint": {
			context: map[string]any{stacks.CtxOtlpEndpoint: ""},
			wantErr: "context elb-otel:otlpEndpoint is required: the OTLP/HTTP endpoint to ship to (example: -c elb-otel:otlpEndpoint=https://otlp.example.com:4318)",
		},
		"endpoint not a URL": {
			context: map[string]any{stacks.CtxOtlpEndpoint: "collector:4318"},
			wantErr: `context elb-otel:otlpEndpoint must be an http(s) URL with a host such as https://otlp.example.com:4318, got "collector:4318"`,
		},
		"bad boolean": {
			context: map[string]any{stacks.CtxEnableBackfill: "yes please"},
			wantErr: `context elb-otel:enableBackfill must be true or false, got "yes please" (example: -c elb-otel:enableBackfill=true)`,
		},
		"bad load balancer ARN": {
			context: map[string]any{stacks.CtxLoadBalancers: `[{"arn":"arn:aws:ec2:eu-west-1:123456789012:instance/i-1"}]`},
			wantErr: `context elb-otel:loadBalancers [0].arn must be an ALB or NLB ARN, got "arn:aws:ec2:eu-west-1:123456789012:instance/i-1" (example: ` + loadBalancersExample + ")",
		},
		"load balancers not JSON": {
			context: map[string]any{stacks.CtxLoadBalancers: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/1`},
			wantErr: "context elb-otel:loadBalancers must be a JSON list of {arn, targetGroupArns, logs, connectionLogs}: invalid character 'a' looking for beginning of value (example: " + loadBalancersExample + ")",
		},
		"subnets without VPC": {
			context: map[string]any{stacks.CtxSubnetIDs: "subnet-0123456789abcdef0"},
			wantErr: "context elb-otel:subnetIds and elb-otel:vpcId go together: the metrics task runs in those subnets of that VPC (example: -c elb-otel:subnetIds=subnet-0123456789abcdef0,subnet-0fedcba9876543210)",
		},
		"metrics without load balancers": {
			context: map[string]any{stacks.CtxEnableMetrics: true},
			wantErr: "context elb-otel:enableMetrics needs load balancers to watch: set elb-otel:loadBalancers or elb-otel:classicLoadBalancers, or elb-otel:metricsAllLoadBalancers=true (example: -c 'elb-otel:loadBalancers=" + loadBalancersExample + "')",
		},
		"nothing to deploy": {
			context: map[string]any{stacks.CtxEnableLogs: "false"},
			wantErr: "context elb-otel:enableLogs and elb-otel:enableMetrics are both false: nothing to deploy",
		},
		"unknown metrics exporter": {
			context: map[string]any{stacks.CtxMetricsExporter: "stackdriver"},
			wantErr: `context elb-otel:metricsExporter must be "cloudwatch-exporter" or "yace", got "stackdriver"`,
		},
		"scrape interval not whole minutes": {
			context: map[string]any{stacks.CtxMetricsScrapeInterval: "90"},
			wantErr: "context elb-otel:metricsScrapeIntervalSeconds must be a whole number of minutes in seconds (60, 120, 300, ...), got 90",
		},
		"bad e-mail": {
			context: map[string]any{stacks.CtxAlarmEmail: "oncall"},
			wantErr: `context elb-otel:alarmEmail must be an e-mail address, got "oncall" (example: oncall@example.com)`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			app := cdktest.NewApp(t, "BadContext", tc.context)
			defer func() {
				err, ok := recover().(error)
				if !ok {
					t.Fatalf("want a panic with an error")
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error =\n%s\nwant\n%s", err, tc.wantErr)
				}
			}()
			stacks.Build(app)
		})
	}
}

const loadBalancersExample = `[{"arn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",` +
	`"targetGroupArns":["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067"],"connectionLogs":true}]`

// fullContext turns on every feature of the app.
var fullContext = map[string]any{
	stacks.CtxEnableMetrics:        true,
	stacks.CtxLoadBalancers:        `[{"arn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188","targetGroupArns":["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-web/73e2d6bc24d8a067"],"connectionLogs":true},{"arn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/payments/c6e77e28c25b2234"}]`,
	stacks.CtxClassicLoadBalancers: "legacy-api",
	stacks.CtxHeadersSecretArn:     "arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf",
	stacks.CtxHeaderNames:          "api-key",
	stacks.CtxVpcID:                "vpc-0123456789abcdef0",
	stacks.CtxSubnetIDs:            "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
	stacks.CtxAlarmEmail:           "oncall@example.com",
}

func TestApp_FullConfigurationMatchesSnapshots(t *testing.T) {
	app := cdktest.NewApp(t, "Full", fullContext)
	stacks.Build(app)
	for _, name := range []string{stacks.LogsStackName, stacks.MetricsStackName} {
		stack := app.Node().FindChild(jsii.String(name)).(awscdk.Stack)
		golden.Assert(t, name+"-full.template", cdktest.TemplateJSON(t, stack))
		for _, e := range cdktest.NagErrors(stack) {
			t.Errorf("cdk-nag %s: %s", name, e)
		}
		cdktest.CfnLint(t, app, stack)
	}
}

// With -c elb-otel:metricsExporter=yace the metrics stack passes cdk-nag and
// cfn-lint, and every image of its task is pinned: YACE at the version the
// tests run, the collector at the builder's version.
func TestApp_YACEMetricsStackPassesCdkNagAndCfnLint(t *testing.T) {
	ctx := map[string]any{stacks.CtxMetricsExporter: "yace", stacks.CtxMetricsScrapeInterval: 120}
	for k, v := range fullContext {
		ctx[k] = v
	}
	app := cdktest.NewApp(t, "YACE", ctx)
	stacks.Build(app)
	stack := app.Node().FindChild(jsii.String(stacks.MetricsStackName)).(awscdk.Stack)
	for _, e := range cdktest.NagErrors(stack) {
		t.Errorf("cdk-nag: %s", e)
	}
	cdktest.CfnLint(t, app, stack)
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct {
				ContainerDefinitions []struct{ Name, Image string }
			}
		}
	}
	if err := json.Unmarshal(cdktest.TemplateJSON(t, stack), &tmpl); err != nil {
		t.Fatal(err)
	}
	images := map[string]string{}
	for _, r := range tmpl.Resources {
		for _, c := range r.Properties.ContainerDefinitions {
			images[c.Name] = c.Image
		}
	}
	want := map[string]string{"config-writer": metricscollector.DefaultYACEImage, "yace": metricscollector.DefaultYACEImage,
		"otel-collector": metricscollector.DefaultCollectorImage}
	if len(images) != len(want) {
		t.Errorf("containers %v", images)
	}
	for name, img := range want {
		if images[name] != img || !strings.Contains(img, ":v0.62.1") && !strings.HasSuffix(img, ":0.159.0") {
			t.Errorf("%s image = %q, want %q (pinned)", name, images[name], img)
		}
	}
}
