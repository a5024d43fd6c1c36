package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

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

func TestApp_FailsWithoutEndpoint(t *testing.T) {
	app := cdktest.NewApp(t, "NoEndpoint", map[string]any{stacks.CtxOtlpEndpoint: ""})
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok {
			t.Fatalf("want a panic with an error naming %s, got %v", stacks.CtxOtlpEndpoint, r)
		}
		want := "context elb-otel:otlpEndpoint is required: the OTLP/HTTP endpoint to ship to (example: -c elb-otel:otlpEndpoint=https://otlp.example.com:4318)"
		if err.Error() != want {
			t.Errorf("error = %q\nwant    %q", err, want)
		}
	}()
	stacks.Build(app)
}
