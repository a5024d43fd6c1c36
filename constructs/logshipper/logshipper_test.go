package logshipper_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/logshipper"
	"github.com/elb-otel/elb-otel/internal/cdktest"
)

const endpoint = "https://otlp.example.com:4318"

// newStack returns a stack in a fresh app synthesizing into cdk.out/<name>.
func newStack(t *testing.T, name string) awscdk.Stack {
	t.Helper()
	app := cdktest.NewApp(t, name, nil)
	return awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
}

func synth(t *testing.T, name string, props *logshipper.LogShipperProps) (awscdk.Stack, assertions.Template) {
	t.Helper()
	stack := newStack(t, name)
	logshipper.NewLogShipper(stack, jsii.String("Shipper"), props)
	return stack, assertions.Template_FromStack(stack, nil)
}

// resources returns the template's resources of type typ, by logical id.
func resources(t *testing.T, tmpl assertions.Template, typ string) map[string]map[string]any {
	t.Helper()
	found := tmpl.FindResources(jsii.String(typ), nil)
	raw, err := json.Marshal(found)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// roleStatements returns the shipper role's policy statements as JSON
// strings, sorted by the order CDK rendered them.
func roleStatements(t *testing.T, tmpl assertions.Template) []string {
	t.Helper()
	var out []string
	for _, policy := range resources(t, tmpl, "AWS::IAM::Policy") {
		props := policy["Properties"].(map[string]any)
		doc := props["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			b, _ := json.Marshal(s)
			out = append(out, string(b))
		}
	}
	return out
}

func actionsOf(t *testing.T, tmpl assertions.Template) map[string]bool {
	t.Helper()
	actions := map[string]bool{}
	for _, s := range roleStatements(t, tmpl) {
		var st struct {
			Action any `json:"Action"`
		}
		_ = json.Unmarshal([]byte(s), &st)
		switch a := st.Action.(type) {
		case string:
			actions[a] = true
		case []any:
			for _, x := range a {
				actions[x.(string)] = true
			}
		}
	}
	return actions
}

func TestLogShipper_DefaultsAreSecure(t *testing.T) {
	_, tmpl := synth(t, "Defaults", &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint)})

	tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
			map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
		}},
		"PublicAccessBlockConfiguration": map[string]any{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
		},
		"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
		"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"ExpirationInDays": 90, "Status": "Enabled"}),
		})},
	})
	tmpl.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{"DeletionPolicy": "Retain"})
	tmpl.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(0))

	// Both queues are encrypted and TLS-only; the work queue redrives to the DLQ.
	tmpl.ResourceCountIs(jsii.String("AWS::SQS::Queue"), jsii.Number(2))
	tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
		"SqsManagedSseEnabled": true,
		"VisibilityTimeout":    1800,
		"RedrivePolicy":        map[string]any{"maxReceiveCount": 5},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
		"SqsManagedSseEnabled":   true,
		"MessageRetentionPeriod": 1209600,
	})
	tmpl.ResourceCountIs(jsii.String("AWS::SQS::QueuePolicy"), jsii.Number(2))
	for id, p := range resources(t, tmpl, "AWS::SQS::QueuePolicy") {
		if !strings.Contains(mustJSON(t, p), `"aws:SecureTransport":"false"`) {
			t.Errorf("queue policy %s does not deny non-TLS access", id)
		}
	}
	tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}),
		})},
	})

	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"},
		"MemorySize": 1024, "Timeout": 300,
		"LoggingConfig": map[string]any{"LogFormat": "JSON"},
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"OTEL_EXPORTER_OTLP_ENDPOINT":    endpoint,
			"OTEL_EXPORTER_OTLP_PROTOCOL":    "http/protobuf",
			"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
			"OTEL_SERVICE_NAME":              "elb",
			"ELB_OTEL_PREFIX":                "AWSLogs/",
			"ELB_OTEL_DELETE_OBJECTS":        "false",
		})},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize":             5,
		"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		"ScalingConfig":         map[string]any{"MaximumConcurrency": 10},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 30})
	tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"EventPattern": map[string]any{
			"source": []any{"aws.s3"}, "detail-type": []any{"Object Created"},
			"detail": map[string]any{"object": map[string]any{"key": []any{map[string]any{"prefix": "AWSLogs/"}}}},
		},
	})
	tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(6))
}

func TestLogShipper_RoleIsLeastPrivilege(t *testing.T) {
	_, tmpl := synth(t, "LeastPrivilege", &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint)})
	// No managed policies at all: the role's permissions are the statements below.
	for id, role := range resources(t, tmpl, "AWS::IAM::Role") {
		if _, ok := role["Properties"].(map[string]any)["ManagedPolicyArns"]; ok {
			t.Errorf("role %s has managed policies", id)
		}
	}
	want := []string{
		`{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperLogGroup2AE68717","Arn"]}}`,
		`{"Action":["s3:GetObject","s3:GetObjectVersion"],"Effect":"Allow","Resource":{"Fn::Join":["",[{"Fn::GetAtt":["ShipperBucket33291A83","Arn"]},"/AWSLogs/*"]]}}`,
		`{"Action":["sqs:ChangeMessageVisibility","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:GetQueueUrl","sqs:ReceiveMessage","sqs:SendMessage"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperQueueD3BE581B","Arn"]}}`,
	}
	got := roleStatements(t, tmpl)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("role statements:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
func TestLogShipper_OptionalPermissions(t *testing.T) {
	stack := newStack(t, "Optional")
	secret := awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("Secret"),
		jsii.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf"))
	logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint:           jsii.String(endpoint),
		DeleteProcessedObjects: jsii.Bool(true),
		EnableBackfill:         jsii.Bool(true),
		HeadersSecret:          secret,
		KeyPrefix:              jsii.String("alb"),
		OnRejectedRecords:      jsii.String("succeed"),
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{"ELB_OTEL_ON_REJECTED": "succeed"})},
	})
	got := actionsOf(t, tmpl)
	for _, a := range []string{"s3:DeleteObject", "s3:ListBucket", "secretsmanager:GetSecretValue"} {
		if !got[a] {
			t.Errorf("%s not granted although the feature is on", a)
		}
	}
	all := strings.Join(roleStatements(t, tmpl), "\n")
	if !strings.Contains(all, `"s3:prefix":["alb/AWSLogs/*"]`) {
		t.Errorf("s3:ListBucket is not limited to the prefix:\n%s", all)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
			"ELB_OTEL_HEADERS_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:otlp-headers-AbCdEf",
			"ELB_OTEL_PREFIX":             "alb/AWSLogs/",
			"ELB_OTEL_DELETE_OBJECTS":     "true",
		})},
	})
}

func TestLogShipper_S3NotificationOnNewBucketNeedsNoCustomResource(t *testing.T) {
	_, tmpl := synth(t, "S3Notification", &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), Trigger: logshipper.TriggerS3Notification,
	})
	tmpl.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"NotificationConfiguration": map[string]any{"QueueConfigurations": []any{
			assertions.Match_ObjectLike(&map[string]any{"Event": "s3:ObjectCreated:*"}),
		}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Action": "sqs:SendMessage", "Principal": map[string]any{"Service": "s3.amazonaws.com"},
			}),
		})},
	})
}

func TestLogShipper_ImportedBucketWithEventBridgeWarns(t *testing.T) {
	stack := newStack(t, "ImportedEventBridge")
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("Logs"), jsii.String("existing-logs"))
	logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), Bucket: bucket,
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::S3::Bucket"), jsii.Number(0))
	warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"),
		assertions.Match_StringLikeRegexp(jsii.String("EventBridge notifications")))
	if len(*warnings) == 0 {
		t.Error("no warning tells the user to switch on EventBridge notifications on the imported bucket")
	}
}

func TestLogShipper_FailsOnMisuse(t *testing.T) {
	bucketProps := &awss3.BucketProps{}
	tests := map[string]struct {
		props   func(stack awscdk.Stack) *logshipper.LogShipperProps
		wantErr string
	}{
		"missing endpoint": {
			props:   func(awscdk.Stack) *logshipper.LogShipperProps { return &logshipper.LogShipperProps{} },
			wantErr: "logshipper: OtlpEndpoint is required: set it to your OTLP/HTTP receiver's base URL, e.g. https://otlp.example.com:4318",
		},
		"not a URL": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String("otlp:4318")}
			},
			wantErr: `logshipper: OtlpEndpoint must be an http(s) URL with a host such as https://otlp.example.com:4318, got "otlp:4318"`,
		},
		"plain http": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String("http://collector:4318")}
			},
			wantErr: `logshipper: OtlpEndpoint is plain http, got "http://collector:4318": use https, or allow plain http (AllowInsecureEndpoint, or context elb-otel:allowInsecureEndpoint) for a collector inside your network`,
		},
		"unknown choice for rejected records": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), OnRejectedRecords: jsii.String("drop")}
			},
			wantErr: `logshipper: OnRejectedRecords must be "fail" (the default: keep the lines recoverable through the dead-letter queue) or "succeed", got "drop"`,
		},
		"bucket and bucket props": {
			props: func(stack awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{
					OtlpEndpoint: jsii.String(endpoint),
					Bucket:       awss3.Bucket_FromBucketName(stack, jsii.String("B"), jsii.String("existing-logs")),
					BucketProps:  bucketProps,
				}
			},
			wantErr: "logshipper: set Bucket or BucketProps, not both",
		},
		"timeout too long": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), Timeout: awscdk.Duration_Minutes(jsii.Number(20))}
			},
			wantErr: "logshipper: Timeout must be between 30 seconds and 15 minutes (the queue's visibility timeout is six times it, at most 12 hours in SQS), got 1200 seconds",
		},
		"memory too small": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), MemorySizeMiB: jsii.Number(64)}
			},
			wantErr: "logshipper: MemorySizeMiB must be between 128 and 10240, got 64",
		},
		"prefix with AWSLogs": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), KeyPrefix: jsii.String("x/AWSLogs")}
			},
			wantErr: `logshipper: KeyPrefix must not contain "AWSLogs" (ELB adds AWSLogs/ itself), got "x/AWSLogs"`,
		},
		"bad protocol": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), OtlpProtocol: jsii.String("grpc")}
			},
			wantErr: `logshipper: OtlpProtocol must be "http/protobuf" or "http/json", got "grpc"`,
		},
		"bad compression": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), OtlpCompression: jsii.String("br")}
			},
			wantErr: `logshipper: OtlpCompression must be "gzip", "zstd" (receivers that accept it, as the OpenTelemetry Collector does) or "none", got "br"`,
		},
		"gzip level out of range": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), GzipLevel: jsii.Number(11)}
			},
			wantErr: "logshipper: GzipLevel must be a whole number from 1 (fastest) to 9 (smallest), got 11",
		},
		"gzip level without gzip": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), OtlpCompression: jsii.String("zstd"), GzipLevel: jsii.Number(9)}
			},
			wantErr: `logshipper: GzipLevel applies to gzip, but OtlpCompression is "zstd": leave GzipLevel unset`,
		},
		"in flight out of range": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), MaxInFlight: jsii.Number(0.5)}
			},
			wantErr: "logshipper: MaxInFlight must be a whole number from 1 to 64, got 0.5",
		},
		"every problem at once": {
			props: func(awscdk.Stack) *logshipper.LogShipperProps {
				return &logshipper.LogShipperProps{BatchSize: jsii.Number(50), MaxReceiveCount: jsii.Number(0)}
			},
			wantErr: "logshipper: OtlpEndpoint is required: set it to your OTLP/HTTP receiver's base URL, e.g. https://otlp.example.com:4318\n" +
				"logshipper: BatchSize must be between 1 and 10 log objects, got 50\n" +
				"logshipper: MaxReceiveCount must be between 1 and 1000, got 0",
		},
	}
	app := cdktest.NewApp(t, "Misuse", nil)
	for name, tc := range tests {
		stack := awscdk.NewStack(app, jsii.String(strings.ReplaceAll(name, " ", "-")), nil)
		props := tc.props(stack)
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				err, ok := r.(error)
				if !ok {
					t.Fatalf("want a panic with an error, got %v", r)
				}
				if err.Error() != tc.wantErr {
					t.Errorf("error =\n%s\nwant\n%s", err, tc.wantErr)
				}
			}()
			logshipper.NewLogShipper(stack, jsii.String("Shipper"), props)
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLogShipper_LogLoadBalancerArnRejectsOtherArns(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067": `logshipper: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067" is not a load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)`,
		"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/gwy/fw/123":          `logshipper: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/gwy/fw/123" is neither an Application (app/) nor a Network (net/) load balancer; Classic load balancers take their logging settings from their own stack`,
	} {
		stack := newStack(t, "BadArn")
		shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint)})
		func() {
			defer func() {
				err, _ := recover().(error)
				if err == nil || err.Error() != want {
					t.Errorf("LogLoadBalancerArn(%q): err = %v\nwant %s", arn, err, want)
				}
			}()
			shipper.LogLoadBalancerArn("Logs", arn, false)
		}()
	}
}

func TestLogShipper_GrantReadLogsGrantsOnlyObjectReadsOnThePrefix(t *testing.T) {
	stack := newStack(t, "GrantRead")
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String(endpoint), KeyPrefix: jsii.String("edge"),
	})
	reader := awsiam.NewRole(stack, jsii.String("Reader"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("athena.amazonaws.com"), nil)})
	grant := shipper.GrantReadLogs(reader)
	if grant == nil || !*grant.Success() {
		t.Fatal("grant did not succeed")
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": []any{"s3:GetObject", "s3:GetObjectVersion"}, "Effect": "Allow",
			"Resource": map[string]any{"Fn::Join": []any{"", []any{
				map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ShipperBucket")), "Arn"}}, "/edge/AWSLogs/*",
			}}},
		}}},
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Reader"))}},
	})
}

// An event EventBridge cannot deliver to the work queue (queue deleted, its
// policy changed, SQS throttling) goes to the dead-letter queue, and an alarm
// watches the rule's failed invocations: without both, EventBridge drops it
// after 24 hours with no trace.
func TestLogShipper_RuleTargetHasDeadLetterQueueAndAlarm(t *testing.T) {
	_, tmpl := synth(t, "RuleDLQ", &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint)})
	var dlq string
	for id, q := range resources(t, tmpl, "AWS::SQS::Queue") {
		if _, ok := q["Properties"].(map[string]any)["RedrivePolicy"]; !ok {
			dlq = id
		}
	}
	tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
			"DeadLetterConfig": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{dlq, "Arn"}}},
		})},
	})
	var rule string
	for id := range resources(t, tmpl, "AWS::Events::Rule") {
		rule = id
	}
	// EventBridge may send to the dead-letter queue, from this rule only.
	tmpl.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
		"Queues": []any{map[string]any{"Ref": dlq}},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Allow", "Action": "sqs:SendMessage", "Principal": map[string]any{"Service": "events.amazonaws.com"},
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": map[string]any{"Fn::GetAtt": []any{rule, "Arn"}}}},
			}),
		})},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"Namespace": "AWS/Events", "MetricName": "FailedInvocations", "Statistic": "Sum", "Threshold": 1,
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"Dimensions":         []any{map[string]any{"Name": "RuleName", "Value": map[string]any{"Ref": rule}}},
	})
}

// With deletion on, a redelivered notification names an object already
// shipped and deleted. S3 answers GetObject on a missing key with 403, not
// 404, unless the caller may list the bucket; the function tells the two
// apart by listing the key itself, so it may list, inside the log prefix
// only. The statements are asserted exactly.
func TestLogShipper_DeletionMayListThePrefixOnly(t *testing.T) {
	_, tmpl := synth(t, "DeletionList", &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), DeleteProcessedObjects: jsii.Bool(true)})
	want := []string{
		`{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperLogGroup2AE68717","Arn"]}}`,
		`{"Action":["s3:DeleteObject","s3:GetObject","s3:GetObjectVersion"],"Effect":"Allow","Resource":{"Fn::Join":["",[{"Fn::GetAtt":["ShipperBucket33291A83","Arn"]},"/AWSLogs/*"]]}}`,
		`{"Action":"s3:ListBucket","Condition":{"StringLike":{"s3:prefix":["AWSLogs/*"]}},"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperBucket33291A83","Arn"]}}`,
		`{"Action":["sqs:ChangeMessageVisibility","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:GetQueueUrl","sqs:ReceiveMessage","sqs:SendMessage"],"Effect":"Allow","Resource":{"Fn::GetAtt":["ShipperQueueD3BE581B","Arn"]}}`,
	}
	got := roleStatements(t, tmpl)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("role statements:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
