// Command infra is the elb-otel CDK app (`cdk synth`, `cdk deploy`).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/infra/stacks"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stacks.Build(app)
	app.Synth(nil)
}
