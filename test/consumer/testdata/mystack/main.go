// Command mystack is a user's own CDK app: a stack of its own that adds both
// elb-otel constructs through their exported API only. The consumer test
// builds it in a throwaway Go module that requires github.com/elb-otel/elb-otel.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/logshipper"
	"github.com/elb-otel/elb-otel/constructs/metricscollector"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	// Environment-agnostic, as `cdk init` writes it: synth needs no AWS
	// credentials and no context lookups.
	stack := awscdk.NewStack(app, jsii.String("MyStack"), nil)
	// The backend's API key, kept in Secrets Manager.
	headers := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("OtlpHeaders"), jsii.String("mystack/otlp-headers"))
	logshipper.NewLogShipper(stack, jsii.String("ElbLogs"), &logshipper.LogShipperProps{
		OtlpEndpoint:  jsii.String("https://otlp.example.com:4318"),
		HeadersSecret: headers,
	})
	metricscollector.NewMetricsCollector(stack, jsii.String("ElbMetrics"), &metricscollector.MetricsCollectorProps{
		OtlpEndpoint:  jsii.String("https://otlp.example.com:4318"),
		HeadersSecret: headers,
		HeaderNames:   jsii.Strings("x-api-key"),
		LoadBalancers: &[]*metricscollector.LoadBalancer{{
			Type: elbmetrics.Application,
			Name: jsii.String("app/shop/50dc6c495c0c9188"),
		}},
	})
	app.Synth(nil)
}
