package logshipper_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/logshipper"
	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/internal/golden"
)

// renderedEnvGolden is the function environment the construct renders, which
// lambda/internal/config's tests decode with the function's own readers.
const renderedEnvGolden = "../../internal/contract/testdata/logshipper-env.golden.json"

// awkwardAttributes hold every character OTEL_RESOURCE_ATTRIBUTES gives a
// meaning to, and others a naive encoder gets wrong.
var awkwardAttributes = map[string]string{
	"deployment.environment": "prod eu",
	"team":                   "a+b %41 c=d,e",
	"owner":                  "zoë/ops",
}

// functionEnv returns the function's environment variables from tmpl; a
// value that is not a plain string (a Ref) is kept as its JSON.
func functionEnv(t *testing.T, tmpl assertions.Template) map[string]string {
	t.Helper()
	fns := resources(t, tmpl, "AWS::Lambda::Function")
	if len(fns) != 1 {
		t.Fatalf("%d functions, want 1", len(fns))
	}
	env := map[string]string{}
	for _, fn := range fns {
		vars := fn["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
		for k, v := range vars {
			if s, ok := v.(string); ok {
				env[k] = s
				continue
			}
			b, _ := json.Marshal(v)
			env[k] = string(b)
		}
	}
	return env
}

// The rendered environment is what the function decodes: the golden file is
// read back by lambda/internal/config's TestFromEnv_DecodesTheConstructsEnvironment,
// and the resource attributes decode unchanged, "+", "%", "=", "," and spaces included.
func TestLogShipper_RenderedEnvironment(t *testing.T) {
	attrs := map[string]*string{}
	for k, v := range awkwardAttributes {
		attrs[k] = jsii.String(v)
	}
	stack := newStack(t, "RenderedEnv")
	secret := awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("Headers"),
		jsii.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf"))
	logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), OtlpProtocol: jsii.String("http/json"), OtlpCompression: jsii.String("none"),
		ServiceName: jsii.String("edge"), ResourceAttributes: &attrs, HeadersSecret: secret,
		KeyPrefix: jsii.String("alb"), DeleteProcessedObjects: jsii.Bool(true), MaxInFlight: jsii.Number(8),
	})
	env := functionEnv(t, assertions.Template_FromStack(stack, nil))
	got, err := contract.DecodeResourceAttributes(env[contract.EnvResourceAttributes])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, awkwardAttributes) {
		t.Errorf("resource attributes decode to %q, want %q", got, awkwardAttributes)
	}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.AssertFile(t, renderedEnvGolden, append(b, '\n'))
}

// An endpoint given as a CDK token (a parameter, an import from another
// stack) synthesizes, unvalidated, as aws-cdk-lib does with tokens; the
// function validates the resolved value when it starts.
func TestLogShipper_TokenEndpoint(t *testing.T) {
	tests := map[string]struct {
		endpoint func(awscdk.Stack) *string
		want     any
	}{
		"parameter": {
			endpoint: func(s awscdk.Stack) *string {
				return awscdk.NewCfnParameter(s, jsii.String("Endpoint"), &awscdk.CfnParameterProps{Type: jsii.String("String")}).ValueAsString()
			},
			want: map[string]any{"Ref": "Endpoint"},
		},
		"import": {
			endpoint: func(awscdk.Stack) *string { return awscdk.Fn_ImportValue(jsii.String("otlp-endpoint")) },
			want:     map[string]any{"Fn::ImportValue": "otlp-endpoint"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			stack := newStack(t, "TokenEndpoint-"+name)
			logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{OtlpEndpoint: tc.endpoint(stack)})
			tmpl := assertions.Template_FromStack(stack, nil)
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
				"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{contract.EnvEndpoint: tc.want})},
			})
		})
	}
}
