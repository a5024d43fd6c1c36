package stacks

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Stack names.
const (
	LogsStackName    = "ElbOtelLogs"
	MetricsStackName = "ElbOtelMetrics"
)

// Build adds the app's stacks to app, with cdk-nag's AwsSolutions checks on
// every construct. It panics with the configuration errors, so `cdk synth`
// fails with a message that names the context key to fix.
func Build(app awscdk.App) {
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		panic(err)
	}
	// The metrics mode stream ships through the log shipper: its stream lives
	// in the logs stack, which is then built even without logs.
	stream := cfg.EnableMetrics && cfg.MetricsMode == MetricsModeStream
	if cfg.EnableLogs || stream {
		NewLogsStack(app, LogsStackName, &LogsStackProps{
			StackProps: awscdk.StackProps{Env: env(), Description: jsii.String("elb-otel: ELB logs to OpenTelemetry")},
			Config:     cfg,
		})
	}
	if cfg.EnableMetrics && !stream {
		NewMetricsStack(app, MetricsStackName, &MetricsStackProps{
			StackProps: awscdk.StackProps{Env: env(), Description: jsii.String("elb-otel: ELB CloudWatch metrics to OpenTelemetry")},
			Config:     cfg,
		})
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// env targets the account and region of the CDK CLI's credentials when it has
// them, and stays environment-agnostic otherwise (offline synth).
func env() *awscdk.Environment {
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account == "" || region == "" {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
}
