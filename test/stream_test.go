package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/infra/stacks"
	"github.com/elb-otel/elb-otel/internal/cdktest"
	"github.com/elb-otel/elb-otel/internal/golden"
)

// streamContext is `cdk synth -c elb-otel:enableMetrics=true -c elb-otel:metricsMode=stream`.
var streamContext = map[string]any{
	stacks.CtxEnableMetrics: "true",
	stacks.CtxMetricsMode:   "stream",
}

func TestApp_StreamModeMatchesSnapshotAndPassesCdkNagAndCfnLint(t *testing.T) {
	app := cdktest.NewApp(t, "Stream", streamContext)
	stacks.Build(app)
	if app.Node().TryFindChild(jsii.String(stacks.MetricsStackName)) != nil {
		t.Errorf("stream mode builds the %s stack: it needs no task", stacks.MetricsStackName)
	}
	stack := app.Node().FindChild(jsii.String(stacks.LogsStackName)).(awscdk.Stack)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::MetricStream"), jsii.Number(1))
	tmpl.ResourceCountIs(jsii.String("AWS::KinesisFirehose::DeliveryStream"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"ELB_OTEL_METRICS_PREFIX": "elb-otel/metric-stream/", "ELB_OTEL_METRICS_POLLING_NAMES": "false",
		})},
	})
	golden.Assert(t, "ElbOtelLogs-stream.template", cdktest.TemplateJSON(t, stack))
	for _, e := range cdktest.NagErrors(stack) {
		t.Errorf("cdk-nag: %s", e)
	}
	cdktest.CfnLint(t, app, stack)
}

func TestApp_StreamModeFailsOnBadContext(t *testing.T) {
	tests := map[string]struct {
		context map[string]any
		wantErr string
	}{
		"unknown mode": {
			context: map[string]any{stacks.CtxEnableMetrics: true, stacks.CtxMetricsMode: "push", stacks.CtxMetricsAllLoadBalancer: true},
			wantErr: `context elb-otel:metricsMode must be "polling" or "stream", got "push" (example: -c elb-otel:metricsMode=stream)`,
		},
		"polling names in polling mode": {
			context: map[string]any{stacks.CtxEnableMetrics: true, stacks.CtxMetricsPollingNames: true, stacks.CtxMetricsAllLoadBalancer: true},
			wantErr: "context elb-otel:metricsPollingNames applies to elb-otel:metricsMode=stream only (the polling mode has those names already): set elb-otel:enableMetrics=true and elb-otel:metricsMode=stream, or drop it",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			app := cdktest.NewApp(t, "BadStreamContext", tc.context)
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
