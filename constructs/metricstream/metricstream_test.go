package metricstream_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/metricstream"
	"github.com/elb-otel/elb-otel/internal/cdktest"
)

func newStack(t *testing.T, name string) (awscdk.App, awscdk.Stack, awss3.Bucket) {
	t.Helper()
	app := cdktest.NewApp(t, name, nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
	bucket := awss3.NewBucket(stack, jsii.String("Logs"), &awss3.BucketProps{
		EnforceSSL: jsii.Bool(true), BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption: awss3.BucketEncryption_S3_MANAGED,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(bucket, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-S1"), Reason: jsii.String("test bucket"),
	}}, jsii.Bool(false))
	return app, stack, bucket
}

// resources returns the template's resources of type typ, by logical id.
func resources(t *testing.T, tmpl assertions.Template, typ string) map[string]map[string]any {
	t.Helper()
	raw, _ := json.Marshal(tmpl.FindResources(jsii.String(typ), nil))
	var out map[string]map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func only(t *testing.T, tmpl assertions.Template, typ string) map[string]any {
	t.Helper()
	rs := resources(t, tmpl, typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s, want 1", len(rs), typ)
	}
	for _, r := range rs {
		return r["Properties"].(map[string]any)
	}
	return nil
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestMetricStream_DefaultTemplate(t *testing.T) {
	app, stack, bucket := newStack(t, "Default")
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	ms := metricstream.NewMetricStream(stack, jsii.String("MetricStream"), &metricstream.MetricStreamProps{Bucket: bucket})
	tmpl := assertions.Template_FromStack(stack, nil)

	stream := only(t, tmpl, "AWS::CloudWatch::MetricStream")
	if stream["OutputFormat"] != "opentelemetry1.0" {
		t.Errorf("OutputFormat %v", stream["OutputFormat"])
	}
	filters := stream["IncludeFilters"].([]any)
	var namespaces []string
	for _, f := range filters {
		f := f.(map[string]any)
		namespaces = append(namespaces, f["Namespace"].(string))
		names := f["MetricNames"].([]any)
		if len(names) == 0 {
			t.Errorf("%s: no metric names: the default narrows to the preset", f["Namespace"])
		}
	}
	if strings.Join(namespaces, ",") != "AWS/ApplicationELB,AWS/NetworkELB,AWS/ELB" {
		t.Errorf("include filters for %v", namespaces)
	}
	// The default preset's ALB metrics, exactly.
	alb := filters[0].(map[string]any)["MetricNames"].([]any)
	if len(alb) != 31 || alb[0] != "ActiveConnectionCount" || !strings.Contains(compact(alb), `"TargetResponseTime"`) {
		t.Errorf("ALB metric names %v", alb)
	}
	if got, want := compact(stream["StatisticsConfigurations"]), `[{"AdditionalStatistics":["p50","p90","p99"],"IncludeMetrics":[{"MetricName":"TargetResponseTime","Namespace":"AWS/ApplicationELB"}]},`+
		`{"AdditionalStatistics":["p50","p90","p99"],"IncludeMetrics":[{"MetricName":"Latency","Namespace":"AWS/ELB"}]}]`; got != want {
		t.Errorf("StatisticsConfigurations\n got %s\nwant %s", got, want)
	}

	ds := only(t, tmpl, "AWS::KinesisFirehose::DeliveryStream")
	if got := compact(ds["DeliveryStreamEncryptionConfigurationInput"]); got != `{"KeyType":"AWS_OWNED_CMK"}` {
		t.Errorf("encryption %s", got)
	}
	s3 := ds["ExtendedS3DestinationConfiguration"].(map[string]any)
	for k, want := range map[string]string{
		"Prefix": `"elb-otel/metric-stream/"`, "ErrorOutputPrefix": `"elb-otel/metric-stream-errors/!{firehose:error-output-type}/"`,
		"BufferingHints": `{"IntervalInSeconds":60,"SizeInMBs":5}`, "CompressionFormat": `"GZIP"`,
	} {
		if got := compact(s3[k]); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if got := compact([]any{ds["DeliveryStreamName"], stream["Name"], stream["FirehoseArn"]}); got != `["TestMetricStream9BEB1646-delivery","TestMetricStream9BEB1646-stream",`+
		`"arn:aws:firehose:eu-west-1:123456789012:deliverystream/TestMetricStream9BEB1646-delivery"]` {
		t.Errorf("names and the stream's target: %s", got)
	}
	if *ms.KeyPrefix() != metricstream.DefaultKeyPrefix {
		t.Errorf("KeyPrefix %s", *ms.KeyPrefix())
	}

	// IAM, exactly: two roles, each with its trust and one policy.
	roles := resources(t, tmpl, "AWS::IAM::Role")
	trusts := map[string]bool{}
	for _, r := range roles {
		trusts[compact(r["Properties"].(map[string]any)["AssumeRolePolicyDocument"])] = true
	}
	for _, svc := range []string{"firehose.amazonaws.com", "streams.metrics.cloudwatch.amazonaws.com"} {
		want := `{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}},"Effect":"Allow","Principal":{"Service":"` + svc + `"}}],"Version":"2012-10-17"}`
		if !trusts[want] {
			t.Errorf("no role trusting %s with aws:SourceAccount; trusts: %v", svc, trusts)
		}
	}
	if len(roles) != 2 {
		t.Errorf("%d roles, want 2", len(roles))
	}
	var statements []string
	for _, p := range resources(t, tmpl, "AWS::IAM::Policy") {
		for _, s := range p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			statements = append(statements, compact(s))
		}
	}
	bucketArn := `{"Fn::GetAtt":["Logs6819BB44","Arn"]}`
	objects := func(prefix string) string {
		return `{"Fn::Join":["",[` + bucketArn + `,"/` + prefix + `*"]]}`
	}
	want := []string{
		`{"Action":["s3:AbortMultipartUpload","s3:PutObject"],"Effect":"Allow","Resource":[` + objects("elb-otel/metric-stream-errors/") + `,` + objects("elb-otel/metric-stream/") + `]}`,
		`{"Action":["s3:GetBucketLocation","s3:ListBucketMultipartUploads"],"Effect":"Allow","Resource":` + bucketArn + `}`,
		`{"Action":["firehose:PutRecord","firehose:PutRecordBatch"],"Effect":"Allow","Resource":"arn:aws:firehose:eu-west-1:123456789012:deliverystream/TestMetricStream9BEB1646-delivery"}`,
	}
	sort.Strings(statements)
	sort.Strings(want)
	if strings.Join(statements, "\n") != strings.Join(want, "\n") {
		t.Errorf("policy statements\n got:\n%s\nwant:\n%s", strings.Join(statements, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range cdktest.NagErrors(stack) {
		t.Errorf("cdk-nag: %s", e)
	}
	app.Synth(nil)
	cdktest.CfnLint(t, app, stack)
}

func TestMetricStream_Options(t *testing.T) {
	_, stack, bucket := newStack(t, "Options")
	metricstream.NewMetricStream(stack, jsii.String("MetricStream"), &metricstream.MetricStreamProps{
		Bucket: bucket, Types: []elbmetrics.LoadBalancerType{elbmetrics.Network}, AllMetrics: jsii.Bool(true),
		KeyPrefix: jsii.String("streams/elb/"), BufferingInterval: awscdk.Duration_Seconds(jsii.Number(0)), BufferingSizeMiB: jsii.Number(1),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	stream := only(t, tmpl, "AWS::CloudWatch::MetricStream")
	if got := compact(stream["IncludeFilters"]); got != `[{"Namespace":"AWS/NetworkELB"}]` {
		t.Errorf("IncludeFilters %s", got)
	}
	if _, ok := stream["StatisticsConfigurations"]; ok {
		t.Errorf("NLB metrics have no percentiles, got %s", compact(stream["StatisticsConfigurations"]))
	}
	s3 := only(t, tmpl, "AWS::KinesisFirehose::DeliveryStream")["ExtendedS3DestinationConfiguration"].(map[string]any)
	if got := compact([]any{s3["Prefix"], s3["ErrorOutputPrefix"], s3["BufferingHints"]}); got != `["streams/elb/","streams/elb-errors/!{firehose:error-output-type}/",{"IntervalInSeconds":0,"SizeInMBs":1}]` {
		t.Errorf("destination %s", got)
	}
}

func TestMetricStream_FailsOnBadProps(t *testing.T) {
	tests := map[string]struct {
		props   func(awss3.IBucket) *metricstream.MetricStreamProps
		wantErr string
	}{
		"no bucket": {
			props:   func(awss3.IBucket) *metricstream.MetricStreamProps { return &metricstream.MetricStreamProps{} },
			wantErr: "metricstream: Bucket is required: give the log shipper's bucket (shipper.Bucket()), so its trigger, queue and function pick the objects up",
		},
		"prefix without slash, buffer too long, bad type": {
			props: func(b awss3.IBucket) *metricstream.MetricStreamProps {
				return &metricstream.MetricStreamProps{Bucket: b, KeyPrefix: jsii.String("metrics"), BufferingInterval: awscdk.Duration_Minutes(jsii.Number(20)),
					Types: []elbmetrics.LoadBalancerType{"gateway"}}
			},
			wantErr: "metricstream: KeyPrefix must be non-empty, not start with \"/\" and end with \"/\", got \"metrics\" (example: \"elb-otel/metric-stream/\")\n" +
				"metricstream: Types[0] \"gateway\" is unknown: use \"application\", \"network\" or \"classic\"\n" +
				"metricstream: BufferingInterval must be between 0 and 900 seconds, got 1200 seconds",
		},
		"prefix under AWSLogs": {
			props: func(b awss3.IBucket) *metricstream.MetricStreamProps {
				return &metricstream.MetricStreamProps{Bucket: b, KeyPrefix: jsii.String("AWSLogs/metrics/")}
			},
			wantErr: "metricstream: KeyPrefix must lie outside the load balancers' AWSLogs/ prefix and hold no Firehose expressions, got \"AWSLogs/metrics/\" (example: \"elb-otel/metric-stream/\")",
		},
		"unknown preset": {
			props: func(b awss3.IBucket) *metricstream.MetricStreamProps {
				return &metricstream.MetricStreamProps{Bucket: b, Preset: "everything", BufferingSizeMiB: jsii.Number(5)}
			},
			wantErr: `metricstream: Preset "everything": elbmetrics: Selection.Preset "everything" is unknown: use "default", "golden-signals" or "all"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, stack, bucket := newStack(t, "Bad")
			defer func() {
				err, ok := recover().(error)
				if !ok {
					t.Fatal("want a panic with an error")
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error\n%s\nwant\n%s", err, tc.wantErr)
				}
			}()
			metricstream.NewMetricStream(stack, jsii.String("MetricStream"), tc.props(bucket))
		})
	}
}
