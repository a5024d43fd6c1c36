package localaws

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Stack is a deployed stack as moto holds it: the template it was given, and
// the physical ID and status of each resource.
type Stack struct {
	Name     string
	Status   string
	Template Template
	// Resources maps a logical ID to its physical ID ("" when moto created
	// nothing for it).
	Resources map[string]string
	// Unnamed counts the resources moto lists without a logical ID: the ones
	// its CloudFormation does not support, reported CREATE_COMPLETE anyway.
	Unnamed int
	// Outputs are the stack's outputs, as DescribeStacks gives them.
	Outputs map[string]string

	moto *Moto
}

// Template is a CloudFormation template, decoded.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
	Outputs   map[string]struct {
		Value any `json:"Value"`
	} `json:"Outputs"`
}

// Resource is one template resource.
type Resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

// OfType returns the logical IDs of the template's resources of type typ,
// sorted.
func (t Template) OfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// One returns the logical ID of the template's only resource of type typ.
func (t Template) One(typ string) (string, error) {
	ids := t.OfType(typ)
	if len(ids) != 1 {
		return "", fmt.Errorf("localaws: the template has %d resources of type %s, want 1", len(ids), typ)
	}
	return ids[0], nil
}

// DescribeStack reads stack name from moto's CloudFormation.
func (m *Moto) DescribeStack(ctx context.Context, name string) (*Stack, error) {
	cf := m.CloudFormation()
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("localaws: describe stack %s: %w", name, err)
	}
	if len(out.Stacks) != 1 {
		return nil, fmt.Errorf("localaws: describe stack %s: got %d stacks", name, len(out.Stacks))
	}
	s := &Stack{Name: name, Status: string(out.Stacks[0].StackStatus), Resources: map[string]string{}, Outputs: map[string]string{}, moto: m}
	for _, o := range out.Stacks[0].Outputs {
		s.Outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	tpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("localaws: get template of %s: %w", name, err)
	}
	if err := json.Unmarshal([]byte(aws.ToString(tpl.TemplateBody)), &s.Template); err != nil {
		return nil, fmt.Errorf("localaws: template of %s: %w", name, err)
	}
	res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("localaws: resources of %s: %w", name, err)
	}
	for _, r := range res.StackResources {
		id := aws.ToString(r.LogicalResourceId)
		if id == "" {
			s.Unnamed++
			continue
		}
		s.Resources[id] = aws.ToString(r.PhysicalResourceId)
	}
	return s, nil
}

// Output returns the stack output name. moto's ExecuteChangeSet (the CDK
// CLI's way to deploy) leaves a new stack's Outputs empty, so an output
// missing from DescribeStacks is resolved from the template's Value instead
// (a Ref, GetAtt or Join of them); fromTemplate says it was.
func (s *Stack) Output(ctx context.Context, name string) (value string, fromTemplate bool, err error) {
	if v, ok := s.Outputs[name]; ok {
		return v, false, nil
	}
	o, ok := s.Template.Outputs[name]
	if !ok {
		return "", false, fmt.Errorf("localaws: stack %s has no output %q", s.Name, name)
	}
	v, err := s.Resolve(ctx, o.Value)
	if err != nil {
		return "", false, fmt.Errorf("localaws: output %s: %w", name, err)
	}
	str, ok := v.(string)
	if !ok {
		return "", false, fmt.Errorf("localaws: output %s resolved to %T, want a string", name, v)
	}
	return str, true, nil
}

// Resolve evaluates the CloudFormation intrinsic functions in v (Ref,
// Fn::GetAtt, Fn::Join, Fn::Sub without a variable map, Fn::Select and the
// pseudo parameters) against the deployed resources, and returns v with
// them replaced.
func (s *Stack) Resolve(ctx context.Context, v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := s.Resolve(ctx, e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				switch fn {
				case "Ref":
					return s.ref(arg)
				case "Fn::GetAtt":
					return s.getAtt(ctx, arg)
				case "Fn::Join":
					return s.join(ctx, arg)
				case "Fn::Sub":
					return s.sub(ctx, arg)
				case "Fn::Select":
					return s.sel(ctx, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := s.Resolve(ctx, e)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	default:
		return v, nil
	}
}

var pseudo = map[string]string{
	"AWS::AccountId": Account, "AWS::Region": Region, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
	"AWS::NoValue": "",
}

func (s *Stack) ref(arg any) (any, error) {
	name, _ := arg.(string)
	if v, ok := pseudo[name]; ok {
		return v, nil
	}
	if name == "AWS::StackName" {
		return s.Name, nil
	}
	id, ok := s.Resources[name]
	if !ok || id == "" {
		return nil, fmt.Errorf("localaws: Ref %q: moto has no physical resource for it", name)
	}
	return id, nil
}

func (s *Stack) getAtt(ctx context.Context, arg any) (any, error) {
	var logical, attr string
	switch a := arg.(type) {
	case []any:
		if len(a) == 2 {
			logical, _ = a[0].(string)
			attr, _ = a[1].(string)
		}
	case string:
		logical, attr, _ = strings.Cut(a, ".")
	}
	r, ok := s.Template.Resources[logical]
	id := s.Resources[logical]
	if !ok || id == "" {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: moto has no physical resource for it", logical, attr)
	}
	switch r.Type + "." + attr {
	case "AWS::S3::Bucket.Arn":
		return "arn:aws:s3:::" + id, nil
	case "AWS::SQS::Queue.QueueName":
		return id[strings.LastIndexByte(id, '/')+1:], nil
	case "AWS::SQS::Queue.QueueUrl":
		return id, nil
	case "AWS::SQS::Queue.Arn":
		out, err := s.moto.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(id), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return nil, fmt.Errorf("Fn::GetAtt %s.Arn: %w", logical, err)
		}
		return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
	case "AWS::Lambda::Function.Arn":
		return "arn:aws:lambda:" + Region + ":" + Account + ":function:" + id, nil
	case "AWS::Logs::LogGroup.Arn":
		return "arn:aws:logs:" + Region + ":" + Account + ":log-group:" + id + ":*", nil
	case "AWS::IAM::Role.Arn":
		return "arn:aws:iam::" + Account + ":role/" + id, nil
	case "AWS::KinesisFirehose::DeliveryStream.Arn":
		return "arn:aws:firehose:" + Region + ":" + Account + ":deliverystream/" + id, nil
	case "AWS::Events::Rule.Arn":
		return "arn:aws:events:" + Region + ":" + Account + ":rule/" + id, nil
	}
	return nil, fmt.Errorf("Fn::GetAtt %s.%s (%s): not supported by localaws", logical, attr, r.Type)
}

func (s *Stack) join(ctx context.Context, arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("Fn::Join: want [separator, [values]], got %v", arg)
	}
	sep, _ := a[0].(string)
	parts, err := s.Resolve(ctx, a[1])
	if err != nil {
		return nil, err
	}
	list, ok := parts.([]any)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: want a list of values, got %v", a[1])
	}
	strs := make([]string, len(list))
	for i, p := range list {
		strs[i] = str(p)
	}
	return strings.Join(strs, sep), nil
}

func (s *Stack) sub(ctx context.Context, arg any) (any, error) {
	tpl, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Sub with a variable map is not supported by localaws: %v", arg)
	}
	var b strings.Builder
	for {
		i := strings.Index(tpl, "${")
		if i < 0 {
			b.WriteString(tpl)
			return b.String(), nil
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("Fn::Sub: unterminated ${ in %q", arg)
		}
		b.WriteString(tpl[:i])
		name := tpl[i+2 : i+j]
		var v any
		var err error
		if logical, attr, ok := strings.Cut(name, "."); ok {
			v, err = s.getAtt(ctx, []any{logical, attr})
		} else {
			v, err = s.ref(name)
		}
		if err != nil {
			return nil, err
		}
		b.WriteString(str(v))
		tpl = tpl[i+j+1:]
	}
}

func (s *Stack) sel(ctx context.Context, arg any) (any, error) {
	a, ok := arg.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("Fn::Select: want [index, list], got %v", arg)
	}
	list, err := s.Resolve(ctx, a[1])
	if err != nil {
		return nil, err
	}
	l, ok := list.([]any)
	var idx int
	switch i := a[0].(type) {
	case float64:
		idx = int(i)
	case string:
		fmt.Sscan(i, &idx)
	}
	if !ok || idx < 0 || idx >= len(l) {
		return nil, fmt.Errorf("Fn::Select: index %v out of %v", a[0], list)
	}
	return l[idx], nil
}

// StackGone reports whether CloudFormation no longer has a live stack called
// name: DescribeStacks by name fails, or answers DELETE_COMPLETE.
func (m *Moto) StackGone(ctx context.Context, name string) (bool, string, error) {
	out, err := m.CloudFormation().DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return true, "DescribeStacks: does not exist", nil
		}
		return false, "", err
	}
	if len(out.Stacks) == 0 {
		return true, "DescribeStacks: no stack", nil
	}
	st := string(out.Stacks[0].StackStatus)
	return st == "DELETE_COMPLETE", st, nil
}
