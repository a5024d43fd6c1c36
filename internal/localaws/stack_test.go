package localaws

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestStack_Resolve(t *testing.T) {
	t.Parallel()
	s := &Stack{
		Name: "ElbOtelLogs",
		Template: Template{Resources: map[string]Resource{
			"Bucket": {Type: "AWS::S3::Bucket"},
			"Queue":  {Type: "AWS::SQS::Queue"},
			"Fn":     {Type: "AWS::Lambda::Function"},
		}},
		Resources: map[string]string{
			"Bucket": "logs-abc",
			"Queue":  "https://sqs.us-east-1.amazonaws.com/123456789012/work-q",
			"Fn":     "shipper-fn",
		},
	}
	tests := map[string]struct {
		in   string
		want string
	}{
		"ref":            {`{"Ref": "Bucket"}`, `"logs-abc"`},
		"pseudo":         {`{"Ref": "AWS::Region"}`, `"us-east-1"`},
		"getatt arn":     {`{"Fn::GetAtt": ["Bucket", "Arn"]}`, `"arn:aws:s3:::logs-abc"`},
		"getatt dotted":  {`{"Fn::GetAtt": "Queue.QueueName"}`, `"work-q"`},
		"join":           {`{"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}`, `"arn:aws:s3:::logs-abc/*"`},
		"sub":            {`{"Fn::Sub": "cdk-${AWS::AccountId}-${AWS::Region}-${Fn}"}`, `"cdk-123456789012-us-east-1-shipper-fn"`},
		"select":         {`{"Fn::Select": [1, ["a", {"Ref": "Fn"}]]}`, `"shipper-fn"`},
		"nested objects": {`{"Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Fn"}}], "Period": 300}`, `{"Dimensions":[{"Name":"FunctionName","Value":"shipper-fn"}],"Period":300}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var in any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatal(err)
			}
			got, err := s.Resolve(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(got); string(b) != tc.want {
				t.Errorf("got %s, want %s", b, tc.want)
			}
		})
	}
}

func TestStack_ResolveFailsOnResourcesMotoDidNotCreate(t *testing.T) {
	t.Parallel()
	s := &Stack{Template: Template{Resources: map[string]Resource{"Alarm": {Type: "AWS::CloudWatch::Alarm"}}}, Resources: map[string]string{"Alarm": ""}}
	if _, err := s.Resolve(context.Background(), map[string]any{"Ref": "Alarm"}); err == nil || !strings.Contains(err.Error(), "no physical resource") {
		t.Fatalf("err %v, want one naming the missing physical resource", err)
	}
}

func TestMergeEnv_PointsEverythingAtTheSetValues(t *testing.T) {
	t.Parallel()
	base := []string{"PATH=/bin", "AWS_PROFILE=prod", "AWS_ENDPOINT_URL_S3=https://s3.example", "AWS_REGION=eu-west-1", "AWS_SESSION_TOKEN=x"}
	got := MergeEnv(base, map[string]string{"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://localhost:1"})
	for _, want := range []string{"PATH=/bin", "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=http://localhost:1"} {
		if !slices.Contains(got, want) {
			t.Errorf("%v lacks %s", got, want)
		}
	}
	for _, kv := range got {
		for _, bad := range []string{"AWS_PROFILE=", "AWS_ENDPOINT_URL_S3=", "AWS_REGION=eu-west-1", "AWS_SESSION_TOKEN="} {
			if strings.HasPrefix(kv, bad) {
				t.Errorf("%v keeps %s", got, kv)
			}
		}
	}
}

func TestUnsupportedTypes_ReadsMotosWarnings(t *testing.T) {
	t.Parallel()
	out := "No Moto CloudFormation support for AWS::S3::BucketPolicy\nwarn\nNo Moto CloudFormation support for AWS::CloudWatch::Alarm\nNo Moto CloudFormation support for AWS::S3::BucketPolicy\n"
	if got := strings.Join(unsupportedTypes(out), ","); got != "AWS::CloudWatch::Alarm,AWS::S3::BucketPolicy" {
		t.Errorf("got %s", got)
	}
}
