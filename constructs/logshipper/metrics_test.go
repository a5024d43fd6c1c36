package logshipper_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/logshipper"
)

func TestLogShipper_MetricsKeyPrefixIsReadTriggeredAndPassed(t *testing.T) {
	_, tmpl := synth(t, "MetricsPrefix", &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), MetricsKeyPrefix: jsii.String("elb-otel/metric-stream/"),
		MetricsOtlpEndpoint: jsii.String("https://metrics.example.com:4318"), MetricsPollingNames: jsii.Bool(true),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"EventPattern": map[string]any{"detail": map[string]any{"object": map[string]any{"key": []any{
			map[string]any{"prefix": "AWSLogs/"}, map[string]any{"prefix": "elb-otel/metric-stream/"},
		}}}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"ELB_OTEL_PREFIX":                     "AWSLogs/",
			"ELB_OTEL_METRICS_PREFIX":             "elb-otel/metric-stream/",
			"ELB_OTEL_METRICS_POLLING_NAMES":      "true",
			"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example.com:4318/v1/metrics",
		})},
	})
	dash := resources(t, tmpl, "AWS::CloudWatch::Dashboard")
	for _, d := range dash {
		body := mustJSON(t, d)
		if !strings.Contains(body, `Metric-stream objects`) || !strings.Contains(body, `\"Format\",\"metric-stream\"`) {
			t.Errorf("the dashboard has no metric-stream row: %s", body)
		}
	}
	objects := func(p string) string {
		return `{"Fn::Join":["",[{"Fn::GetAtt":["ShipperBucket33291A83","Arn"]},"/` + p + `*"]]}`
	}
	want := []string{
		`{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperLogGroup2AE68717","Arn"]}}`,
		`{"Action":["s3:GetObject","s3:GetObjectVersion"],"Effect":"Allow","Resource":[` + objects("AWSLogs/") + `,` + objects("elb-otel/metric-stream/") + `]}`,
		`{"Action":["sqs:ChangeMessageVisibility","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:GetQueueUrl","sqs:ReceiveMessage","sqs:SendMessage"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperQueueD3BE581B","Arn"]}}`,
	}
	got := roleStatements(t, tmpl)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("role statements:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLogShipper_MetricsKeyPrefixWithS3Notification(t *testing.T) {
	_, tmpl := synth(t, "MetricsPrefixS3", &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), MetricsKeyPrefix: jsii.String("metrics/"), Trigger: logshipper.TriggerS3Notification,
	})
	rule := func(p string) map[string]any {
		return map[string]any{"Event": "s3:ObjectCreated:*", "Filter": map[string]any{"S3Key": map[string]any{
			"Rules": []any{map[string]any{"Name": "prefix", "Value": p}}}}}
	}
	tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"NotificationConfiguration": map[string]any{"QueueConfigurations": []any{
			assertions.Match_ObjectLike(&map[string]any{"Event": "s3:ObjectCreated:*", "Filter": rule("AWSLogs/")["Filter"]}),
			assertions.Match_ObjectLike(&map[string]any{"Event": "s3:ObjectCreated:*", "Filter": rule("metrics/")["Filter"]}),
		}},
	})
}

func TestLogShipper_FailsOnBadMetricsProps(t *testing.T) {
	tests := map[string]struct {
		props   logshipper.LogShipperProps
		wantErr string
	}{
		"overlapping prefix": {
			props:   logshipper.LogShipperProps{MetricsKeyPrefix: jsii.String("AWSLogs/metrics/")},
			wantErr: `logshipper: MetricsKeyPrefix "AWSLogs/metrics/" overlaps the log prefix "AWSLogs/": give the metric stream a prefix of its own`,
		},
		"no trailing slash": {
			props:   logshipper.LogShipperProps{MetricsKeyPrefix: jsii.String("metrics")},
			wantErr: `logshipper: MetricsKeyPrefix must be non-empty, not start with "/" and end with "/", got "metrics" (example: "elb-otel/metric-stream/")`,
		},
		"polling names without a prefix": {
			props:   logshipper.LogShipperProps{MetricsPollingNames: jsii.Bool(true)},
			wantErr: "logshipper: MetricsOtlpEndpoint and MetricsPollingNames need MetricsKeyPrefix: set it to the metric stream's KeyPrefix",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			stack := newStack(t, "BadMetrics")
			tc.props.OtlpEndpoint = jsii.String(endpoint)
			defer func() {
				err, ok := recover().(error)
				if !ok {
					t.Fatal("want a panic with an error")
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error\n%s\nwant\n%s", err, tc.wantErr)
				}
			}()
			logshipper.NewLogShipper(stack, jsii.String("Shipper"), &tc.props)
		})
	}
}
