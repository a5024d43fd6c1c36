package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Handling says how the local run covers a resource, or a part of one.
type Handling string

// The ways a resource is covered. Only Real and Applied resources behave as
// in AWS during the run; the others are said to be what they are.
const (
	// Real: moto created it as the template says, and it was read back
	// through moto's service API and compared with the template.
	Real Handling = "real"
	// Applied: moto's CloudFormation ignored it; it was applied, exactly as
	// the template says, through moto's service API, then read back.
	Applied Handling = "applied"
	// Replaced: moto cannot do it; something else plays its part (said how).
	Replaced Handling = "replaced"
	// Inert: moto stores it but never enforces or uses it; not exercised.
	Inert Handling = "inert"
	// TemplateOnly: moto does not model it at all; checked in the template.
	TemplateOnly Handling = "template"
)

// Finding is what moto did with one resource or property, and how the run
// covers it.
type Finding struct {
	Logical  string // logical ID in the template
	Type     string // resource type
	Part     string // the property or aspect, "" for the whole resource
	Handling Handling
	Detail   string // what moto does and what the run does about it
	// Short says the same in a few words, for Applied and Replaced findings.
	Short string
}

// Deployment is the deployed logs stack, adapted to moto, with what the
// test and the demo need to drive it.
type Deployment struct {
	Stack    *Stack
	Findings []Finding

	Bucket           string
	QueueURL         string
	QueueARN         string
	DeadLetterURL    string
	DeadLetterARN    string
	MaxReceiveCount  int
	QueueVisibility  time.Duration
	Function         Function
	EventSource      EventSource
	AlarmNames       map[string]string // logical ID -> alarm name put into moto
	DeadLetterAlarm  string            // logical ID of the alarm on the dead-letter queue's depth
	OutputsResolved  []string          // outputs resolved from the template (moto lost them)
	UnsupportedTypes []string          // types moto's CloudFormation logged as unsupported
	// DeliveryStreams are the delivery streams created through moto's
	// Firehose API for the template's (its CloudFormation creates none).
	DeliveryStreams []*DeliveryStream
}

// Function is the deployed function's configuration.
type Function struct {
	Logical      string
	Name         string
	ARN          string
	Runtime      string
	Handler      string
	Architecture string // from the template: moto reports x86_64 whatever it is given
	MemoryMiB    int
	Timeout      time.Duration
	Env          map[string]string // as moto's GetFunction returns it
	LogFormat    string            // from the template's LoggingConfig (moto drops it)
	LogGroup     string
	CodeBucket   string // where the CDK CLI uploaded the function's zip
	CodeKey      string
}

// EventSource is the deployed SQS event source mapping's configuration.
type EventSource struct {
	UUID                    string
	BatchSize               int
	ReportBatchItemFailures bool
	MaximumConcurrency      int
}

// Adapt checks, resource by resource, what moto made of the stack's template;
// applies through moto's service APIs what its CloudFormation ignored (the
// bucket's NotificationConfiguration, the alarms); switches off moto's event
// source mapping; and returns the deployment with a finding for each resource.
// It fails when something moto did create differs from the template.
func (m *Moto) Adapt(ctx context.Context, s *Stack) (*Deployment, error) {
	d := &Deployment{Stack: s, AlarmNames: map[string]string{}}
	var errs []error
	fail := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	d.UnsupportedTypes = unsupportedTypes(m.Output())

	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		ti, tj := order(s.Template.Resources[ids[i]].Type), order(s.Template.Resources[ids[j]].Type)
		if ti != tj {
			return ti < tj
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		r := s.Template.Resources[id]
		switch r.Type {
		case "AWS::SQS::Queue":
			fail(m.checkQueue(ctx, d, id, r))
		case "AWS::S3::Bucket":
			fail(m.adaptBucket(ctx, d, id, r))
		case "AWS::Events::Rule":
			fail(m.checkRule(ctx, d, id, r))
		case "AWS::Lambda::Function":
			fail(m.WithoutIAM(ctx, func() error { return m.checkFunction(ctx, d, id, r) }))
		case "AWS::Lambda::EventSourceMapping":
			fail(m.WithoutIAM(ctx, func() error { return m.adaptEventSource(ctx, d, id, r) }))
		case "AWS::CloudWatch::Alarm":
			fail(m.adaptAlarm(ctx, d, id, r))
		case "AWS::KinesisFirehose::DeliveryStream":
			fail(m.adaptDeliveryStream(ctx, d, id, r))
		case "AWS::CloudWatch::MetricStream":
			fail(d.checkMetricStream(id, r))
		case "AWS::CloudWatch::Dashboard":
			fail(m.checkDashboard(ctx, d, id, r))
		case "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy":
			fail(d.checkTLSOnlyPolicy(id, r))
		case "AWS::Logs::LogGroup":
			d.add(id, r.Type, "", Inert, fmt.Sprintf("created by moto (%s); the function's logs go to the run's output instead, retention %v days not exercised",
				s.Resources[id], r.Properties["RetentionInDays"]))
		case "AWS::IAM::Role", "AWS::IAM::Policy":
			if m.iam {
				d.add(id, r.Type, "", Real, "created by moto, and enforced: actions, and S3 and SQS resources (not conditions); the run acts as the function role")
			} else {
				d.add(id, r.Type, "", Inert, "stored by moto, never enforced: the run does not exercise permissions (least privilege is asserted by the construct tests)")
			}
		case "AWS::CDK::Metadata":
			d.add(id, r.Type, "", Inert, "no moto support; CDK version metadata, no behaviour")
		default:
			d.add(id, r.Type, "", Inert, "not checked by localaws")
		}
	}
	for _, name := range sortedKeys(s.Template.Outputs) {
		if _, ok := s.Outputs[name]; !ok {
			d.OutputsResolved = append(d.OutputsResolved, name)
		}
	}
	if len(d.OutputsResolved) > 0 {
		d.add("Outputs", "", "", Replaced, fmt.Sprintf("moto's ExecuteChangeSet leaves a new stack's Outputs empty (`cdk deploy --outputs-file` writes {}): %s resolved from the template's Ref/GetAtt against the stack's resources",
			strings.Join(d.OutputsResolved, ", ")))
		d.short("stack outputs empty after a change set: resolved from the template")
	}
	if s.Unnamed > 0 {
		d.add("", "", "stack resources", Replaced, fmt.Sprintf("moto lists %d resources without a logical ID, CREATE_COMPLETE: the types its CloudFormation cannot create (%s); none of them is counted as created",
			s.Unnamed, strings.Join(d.UnsupportedTypes, ", ")))
		d.short(fmt.Sprintf("no CloudFormation support for %s: listed CREATE_COMPLETE, nothing made, not counted", strings.Join(d.UnsupportedTypes, ", ")))
	}
	return d, errors.Join(errs...)
}

// order sorts resources so that those others refer to are handled first.
func order(typ string) int {
	switch typ {
	case "AWS::SQS::Queue":
		return 0
	case "AWS::S3::Bucket":
		return 1
	case "AWS::Lambda::Function":
		return 2
	case "AWS::KinesisFirehose::DeliveryStream":
		return 3
	}
	return 4
}

func (d *Deployment) add(logical, typ, part string, h Handling, detail string) {
	d.Findings = append(d.Findings, Finding{Logical: logical, Type: typ, Part: part, Handling: h, Detail: detail})
}

// short sets the Short text of the last finding added.
func (d *Deployment) short(text string) { d.Findings[len(d.Findings)-1].Short = text }

// Count returns how many findings have handling h.
func (d *Deployment) Count(h Handling) int {
	n := 0
	for _, f := range d.Findings {
		if f.Handling == h {
			n++
		}
	}
	return n
}

// PrintFindings writes the findings as a table.
func (d *Deployment) PrintFindings(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  HANDLING\tRESOURCE\tWHAT MOTO DOES, AND WHAT THE RUN DOES ABOUT IT")
	for _, f := range d.Findings {
		name := f.Logical
		if f.Type != "" {
			name += " (" + strings.TrimPrefix(f.Type, "AWS::") + ")"
		}
		if f.Part != "" {
			name += " " + f.Part
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Handling, strings.TrimSpace(name), f.Detail)
	}
	tw.Flush()
}

var unsupportedRE = "No Moto CloudFormation support for "

func unsupportedTypes(out string) []string {
	seen := map[string]bool{}
	var types []string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, unsupportedRE); i >= 0 {
			t := strings.TrimSpace(line[i+len(unsupportedRE):])
			if !seen[t] {
				seen[t] = true
				types = append(types, t)
			}
		}
	}
	sort.Strings(types)
	return types
}

func (m *Moto) checkQueue(ctx context.Context, d *Deployment, id string, r Resource) error {
	url := d.Stack.Resources[id]
	if url == "" {
		return fmt.Errorf("queue %s: moto created no queue", id)
	}
	out, err := m.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		return fmt.Errorf("queue %s: %w", id, err)
	}
	attrs := out.Attributes
	var problems []string
	for _, name := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "SqsManagedSseEnabled", "DelaySeconds"} {
		want, ok := r.Properties[name]
		if !ok {
			continue
		}
		if got := attrs[name]; got != str(want) {
			problems = append(problems, fmt.Sprintf("%s %s, template %v", name, got, want))
		}
	}
	detail := fmt.Sprintf("%s: visibility %ss, retention %ss, SSE %s", url[strings.LastIndexByte(url, '/')+1:],
		attrs["VisibilityTimeout"], attrs["MessageRetentionPeriod"], attrs["SqsManagedSseEnabled"])
	if rp, ok := r.Properties["RedrivePolicy"]; ok {
		want, err := d.Stack.Resolve(ctx, rp)
		if err != nil {
			return fmt.Errorf("queue %s: RedrivePolicy: %w", id, err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(attrs["RedrivePolicy"]), &got); err != nil {
			problems = append(problems, fmt.Sprintf("RedrivePolicy %q does not parse", attrs["RedrivePolicy"]))
		} else if str(got["deadLetterTargetArn"]) != str(want.(map[string]any)["deadLetterTargetArn"]) ||
			str(got["maxReceiveCount"]) != str(want.(map[string]any)["maxReceiveCount"]) {
			problems = append(problems, fmt.Sprintf("RedrivePolicy %v, template %v", got, want))
		}
		n, _ := strconv.Atoi(str(got["maxReceiveCount"]))
		d.QueueURL, d.QueueARN, d.MaxReceiveCount = url, attrs["QueueArn"], n
		vis, _ := strconv.Atoi(attrs["VisibilityTimeout"])
		d.QueueVisibility = time.Duration(vis) * time.Second
		detail += fmt.Sprintf(", dead-letter queue after %d receives", n)
	} else {
		d.DeadLetterURL, d.DeadLetterARN = url, attrs["QueueArn"]
	}
	if len(problems) > 0 {
		return fmt.Errorf("queue %s differs from the template: %s", id, strings.Join(problems, "; "))
	}
	d.add(id, r.Type, "", Real, detail)
	return nil
}

func (m *Moto) adaptBucket(ctx context.Context, d *Deployment, id string, r Resource) error {
	name := d.Stack.Resources[id]
	if name == "" {
		return fmt.Errorf("bucket %s: moto created no bucket", id)
	}
	d.Bucket = name
	client := m.S3()
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("bucket %s: %w", id, err)
	}
	d.add(id, r.Type, "", Real, "bucket "+name+" exists")

	if _, ok := r.Properties["BucketEncryption"]; ok {
		enc, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
		if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) == 0 {
			return fmt.Errorf("bucket %s: encryption not applied by moto: %v", id, err)
		}
		d.add(id, r.Type, "BucketEncryption", Real, "GetBucketEncryption: "+
			string(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm))
	}

	if nc, ok := r.Properties["NotificationConfiguration"]; ok {
		if err := m.applyNotifications(ctx, d, id, r, name, nc); err != nil {
			return err
		}
	}
	if _, ok := r.Properties["PublicAccessBlockConfiguration"]; ok {
		_, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
		if err == nil {
			d.add(id, r.Type, "PublicAccessBlockConfiguration", Real, "GetPublicAccessBlock answers")
		} else {
			d.add(id, r.Type, "PublicAccessBlockConfiguration", TemplateOnly, fmt.Sprintf("moto's CloudFormation ignores it (GetPublicAccessBlock: not found) and moto enforces no access control; template: %s", compact(r.Properties["PublicAccessBlockConfiguration"])))
		}
	}
	if _, ok := r.Properties["LifecycleConfiguration"]; ok {
		_, err := client.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)})
		if err == nil {
			d.add(id, r.Type, "LifecycleConfiguration", Real, "GetBucketLifecycleConfiguration answers")
		} else {
			d.add(id, r.Type, "LifecycleConfiguration", TemplateOnly, fmt.Sprintf("moto's CloudFormation ignores it (not found), and a run of minutes expires nothing; template: %s", compact(r.Properties["LifecycleConfiguration"])))
		}
	}
	if _, ok := r.Properties["OwnershipControls"]; ok {
		_, err := client.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(name)})
		if err == nil {
			d.add(id, r.Type, "OwnershipControls", Real, "GetBucketOwnershipControls answers")
		} else {
			d.add(id, r.Type, "OwnershipControls", TemplateOnly, fmt.Sprintf("moto's CloudFormation ignores it (not found); template: %s", compact(r.Properties["OwnershipControls"])))
		}
	}
	if r.DeletionPolicy != "" {
		d.add(id, r.Type, "DeletionPolicy", Real, "moto honours "+r.DeletionPolicy+" on delete (checked after `cdk destroy`)")
	}
	return nil
}

// applyNotifications puts the template's NotificationConfiguration on the
// bucket, when moto's CloudFormation ignored it.
func (m *Moto) applyNotifications(ctx context.Context, d *Deployment, id string, r Resource, bucket string, prop any) error {
	client := m.S3()
	before, err := client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return fmt.Errorf("bucket %s: get notification configuration: %w", id, err)
	}
	if before.EventBridgeConfiguration != nil || len(before.QueueConfigurations) > 0 {
		d.add(id, r.Type, "NotificationConfiguration", Real, "moto applied it")
		return nil
	}
	resolved, err := d.Stack.Resolve(ctx, prop)
	if err != nil {
		return fmt.Errorf("bucket %s: NotificationConfiguration: %w", id, err)
	}
	raw, _ := json.Marshal(resolved)
	var nc struct {
		EventBridgeConfiguration *struct {
			EventBridgeEnabled bool
		}
		QueueConfigurations []struct {
			Event  string
			Queue  string
			Filter *struct {
				S3Key struct {
					Rules []struct{ Name, Value string }
				}
			}
		}
		TopicConfigurations  []any
		LambdaConfigurations []any
	}
	if err := json.Unmarshal(raw, &nc); err != nil {
		return fmt.Errorf("bucket %s: NotificationConfiguration %s: %w", id, raw, err)
	}
	if len(nc.TopicConfigurations) > 0 || len(nc.LambdaConfigurations) > 0 {
		return fmt.Errorf("bucket %s: NotificationConfiguration has topic or Lambda configurations, which localaws does not apply: %s", id, raw)
	}
	in := &s3types.NotificationConfiguration{}
	if nc.EventBridgeConfiguration != nil && nc.EventBridgeConfiguration.EventBridgeEnabled {
		in.EventBridgeConfiguration = &s3types.EventBridgeConfiguration{}
	}
	for _, q := range nc.QueueConfigurations {
		qc := s3types.QueueConfiguration{QueueArn: aws.String(q.Queue), Events: []s3types.Event{s3types.Event(q.Event)}}
		if q.Filter != nil {
			var rules []s3types.FilterRule
			for _, fr := range q.Filter.S3Key.Rules {
				rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleName(strings.ToLower(fr.Name)), Value: aws.String(fr.Value)})
			}
			qc.Filter = &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: rules}}
		}
		in.QueueConfigurations = append(in.QueueConfigurations, qc)
	}
	if _, err := client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: in,
	}); err != nil {
		return fmt.Errorf("bucket %s: put notification configuration: %w", id, err)
	}
	after, err := client.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return fmt.Errorf("bucket %s: read back notification configuration: %w", id, err)
	}
	if len(after.QueueConfigurations) != len(in.QueueConfigurations) {
		return fmt.Errorf("bucket %s: moto did not keep the queue configurations put on it", id)
	}
	readBack := "read it back"
	if in.EventBridgeConfiguration != nil && after.EventBridgeConfiguration == nil {
		// moto keeps it (it delivers to EventBridge from then on) but its
		// GetBucketNotificationConfiguration does not return it.
		readBack = "moto's GetBucketNotificationConfiguration does not echo EventBridgeConfiguration, so the delivery of every upload to the queue is the check"
	}
	d.add(id, r.Type, "NotificationConfiguration", Applied, fmt.Sprintf(
		"moto's CloudFormation ignores it (GetBucketNotificationConfiguration was empty): put the template's %s with PutBucketNotificationConfiguration; %s; moto then delivers S3 events for real",
		compact(prop), readBack))
	d.short("the bucket's EventBridge notification is ignored: put with PutBucketNotificationConfiguration")
	return nil
}

func (m *Moto) checkRule(ctx context.Context, d *Deployment, id string, r Resource) error {
	name := d.Stack.Resources[id]
	if name == "" {
		return fmt.Errorf("rule %s: moto created no rule", id)
	}
	eb := m.EventBridge()
	out, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if err != nil {
		return fmt.Errorf("rule %s: %w", id, err)
	}
	want, err := d.Stack.Resolve(ctx, r.Properties["EventPattern"])
	if err != nil {
		return fmt.Errorf("rule %s: EventPattern: %w", id, err)
	}
	var got any
	if err := json.Unmarshal([]byte(aws.ToString(out.EventPattern)), &got); err != nil {
		return fmt.Errorf("rule %s: event pattern %q: %w", id, aws.ToString(out.EventPattern), err)
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		return fmt.Errorf("rule %s: moto's event pattern %s differs from the template's %s", id, compact(got), compact(want))
	}
	if string(out.State) != "ENABLED" {
		return fmt.Errorf("rule %s: state %s, want ENABLED", id, out.State)
	}
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if err != nil {
		return fmt.Errorf("rule %s: targets: %w", id, err)
	}
	var arns []string
	for _, t := range targets.Targets {
		arns = append(arns, aws.ToString(t.Arn))
	}
	d.add(id, r.Type, "", Real, fmt.Sprintf("ENABLED, pattern as in the template %s, targets %s; delivery checked end to end", compact(want), strings.Join(arns, ", ")))
	return nil
}

// normalize makes JSON values comparable: numbers as float64 and so on.
func normalize(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

func (m *Moto) checkFunction(ctx context.Context, d *Deployment, id string, r Resource) error {
	name := d.Stack.Resources[id]
	if name == "" {
		return fmt.Errorf("function %s: moto created no function", id)
	}
	out, err := m.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("function %s: %w", id, err)
	}
	c := out.Configuration
	f := Function{
		Logical: id, Name: name, ARN: aws.ToString(c.FunctionArn), Runtime: string(c.Runtime), Handler: aws.ToString(c.Handler),
		MemoryMiB: int(aws.ToInt32(c.MemorySize)), Timeout: time.Duration(aws.ToInt32(c.Timeout)) * time.Second, Env: map[string]string{},
	}
	if c.Environment != nil {
		f.Env = c.Environment.Variables
	}
	p := r.Properties
	problems, err := configProblems(ctx, d, f, p)
	if err != nil {
		return fmt.Errorf("function %s: Environment: %w", id, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("function %s differs from the template: %s", id, strings.Join(problems, "; "))
	}
	d.add(id, r.Type, "configuration", Real, fmt.Sprintf("GetFunction: %s, %s, %d MiB, %s, %d environment variables as in the template",
		f.Runtime, f.Handler, f.MemoryMiB, f.Timeout, len(f.Env)))

	noteReplaced(ctx, d, id, r, c, &f)
	if code, ok := p["Code"].(map[string]any); ok {
		b, err := d.Stack.Resolve(ctx, code["S3Bucket"])
		if err != nil {
			return fmt.Errorf("function %s: Code.S3Bucket: %w", id, err)
		}
		f.CodeBucket, f.CodeKey = fmt.Sprint(b), fmt.Sprint(code["S3Key"])
	}
	d.add(id, r.Type, "invocation", Replaced, "moto runs functions only in Docker (none here): the bootstrap runs under lambdart, a local Lambda Runtime API, and as `elb-otel consume`")
	d.short("functions run only in Docker: the bootstrap runs under a local Lambda Runtime API")
	d.Function = f
	return nil
}

// configProblems compares the function's configuration as moto reports it with
// its template's properties p. Its error is one of resolving the template's
// Environment.
func configProblems(ctx context.Context, d *Deployment, f Function, p map[string]any) ([]string, error) {
	var problems []string
	check := func(what string, got, want any) {
		if str(got) != str(want) {
			problems = append(problems, fmt.Sprintf("%s %v, template %v", what, got, want))
		}
	}
	check("Runtime", f.Runtime, p["Runtime"])
	check("Handler", f.Handler, p["Handler"])
	check("MemorySize", f.MemoryMiB, p["MemorySize"])
	check("Timeout", int(f.Timeout.Seconds()), p["Timeout"])
	if env, ok := p["Environment"].(map[string]any); ok {
		want, err := d.Stack.Resolve(ctx, env["Variables"])
		if err != nil {
			return nil, err
		}
		for k, v := range want.(map[string]any) {
			check("environment "+k, f.Env[k], v)
		}
		check("environment size", len(f.Env), len(want.(map[string]any)))
	}
	return problems, nil
}

// noteReplaced records the properties moto drops (the architecture, the
// logging config) and how the tests stand in for them, and sets them on f from
// the template.
func noteReplaced(ctx context.Context, d *Deployment, id string, r Resource, c *lambdatypes.FunctionConfiguration, f *Function) {
	p := r.Properties
	if archs, ok := p["Architectures"].([]any); ok && len(archs) == 1 {
		f.Architecture = fmt.Sprint(archs[0])
		var got []string
		for _, a := range c.Architectures {
			got = append(got, string(a))
		}
		d.add(id, r.Type, "Architectures", Replaced, fmt.Sprintf(
			"template %s, moto reports %s (its CloudFormation drops the property): the deployed zip is checked to hold a linux/%s bootstrap, and the same source is built for this host and run under lambdart",
			f.Architecture, strings.Join(got, ","), goarch(f.Architecture)))
		d.short(fmt.Sprintf("the function's architecture (%s) is dropped, and it cannot run: the same code is built for this machine", f.Architecture))
	}
	if lc, ok := p["LoggingConfig"].(map[string]any); ok {
		f.LogFormat = fmt.Sprint(lc["LogFormat"])
		if ref, ok := lc["LogGroup"]; ok {
			if v, err := d.Stack.Resolve(ctx, ref); err == nil {
				f.LogGroup = fmt.Sprint(v)
			}
		}
		state := "drops it"
		if c.LoggingConfig != nil && string(c.LoggingConfig.LogFormat) == f.LogFormat {
			state = "keeps it"
		}
		d.add(id, r.Type, "LoggingConfig", Replaced, fmt.Sprintf("template LogFormat %s to %s; moto %s: lambdart sets AWS_LAMBDA_LOG_FORMAT=%s and AWS_LAMBDA_LOG_GROUP_NAME as Lambda does",
			f.LogFormat, f.LogGroup, state, f.LogFormat))
		d.short("the function's JSON log format is dropped: set in the function's environment as Lambda does")
	}
}

func goarch(lambdaArch string) string {
	if lambdaArch == "x86_64" {
		return "amd64"
	}
	return lambdaArch
}

func (m *Moto) adaptEventSource(ctx context.Context, d *Deployment, id string, r Resource) error {
	uuid := d.Stack.Resources[id]
	if uuid == "" {
		return fmt.Errorf("event source mapping %s: moto created none", id)
	}
	client := m.Lambda()
	out, err := client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		return fmt.Errorf("event source mapping %s: %w", id, err)
	}
	es := EventSource{UUID: uuid, BatchSize: int(aws.ToInt32(out.BatchSize))}
	for _, t := range out.FunctionResponseTypes {
		if t == "ReportBatchItemFailures" {
			es.ReportBatchItemFailures = true
		}
	}
	if out.ScalingConfig != nil {
		es.MaximumConcurrency = int(aws.ToInt32(out.ScalingConfig.MaximumConcurrency))
	}
	p := r.Properties
	var problems []string
	if str(es.BatchSize) != str(p["BatchSize"]) {
		problems = append(problems, fmt.Sprintf("BatchSize %d, template %v", es.BatchSize, p["BatchSize"]))
	}
	wantReport := strings.Contains(fmt.Sprint(p["FunctionResponseTypes"]), "ReportBatchItemFailures")
	if es.ReportBatchItemFailures != wantReport {
		problems = append(problems, fmt.Sprintf("ReportBatchItemFailures %v, template %v", es.ReportBatchItemFailures, wantReport))
	}
	if arn, err := d.Stack.Resolve(ctx, p["EventSourceArn"]); err != nil || fmt.Sprint(arn) != aws.ToString(out.EventSourceArn) {
		problems = append(problems, fmt.Sprintf("EventSourceArn %s, template %v (%v)", aws.ToString(out.EventSourceArn), arn, err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("event source mapping %s differs from the template: %s", id, strings.Join(problems, "; "))
	}
	if _, err := client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)}); err != nil {
		return fmt.Errorf("event source mapping %s: disable: %w", id, err)
	}
	after, err := client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(after.State) != "Disabled" {
		return fmt.Errorf("event source mapping %s: moto did not disable it (state %v, %v)", id, aws.ToString(after.State), err)
	}
	d.EventSource = es
	d.add(id, r.Type, "", Replaced, fmt.Sprintf(
		"moto keeps it (BatchSize %d, ReportBatchItemFailures %v, MaximumConcurrency %d, as in the template) but 'invokes' it inside every SendMessage through Docker, fails, and counts a receive toward maxReceiveCount: disabled it; lambdart's event source mapping polls the queue with the same settings",
		es.BatchSize, es.ReportBatchItemFailures, es.MaximumConcurrency))
	d.short("the event source mapping would 'invoke' through Docker and count receives: disabled, and played by lambdart")
	return nil
}

func (m *Moto) adaptAlarm(ctx context.Context, d *Deployment, id string, r Resource) error {
	if phys := d.Stack.Resources[id]; phys != "" {
		d.add(id, r.Type, "", Real, "created by moto: "+phys)
		return nil
	}
	resolved, err := d.Stack.Resolve(ctx, r.Properties)
	if err != nil {
		return fmt.Errorf("alarm %s: %w", id, err)
	}
	raw, _ := json.Marshal(resolved)
	var p struct {
		AlarmDescription   string
		ComparisonOperator string
		EvaluationPeriods  int32
		MetricName         string
		Namespace          string
		Period             int32
		Statistic          string
		Threshold          float64
		TreatMissingData   string
		Dimensions         []struct{ Name, Value string }
		AlarmActions       []string
		OKActions          []string
		Metrics            []any
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("alarm %s: %s: %w", id, raw, err)
	}
	if len(p.Metrics) > 0 {
		return fmt.Errorf("alarm %s: metric-math alarms are not applied by localaws", id)
	}
	name := d.Stack.Name + "-" + id
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), AlarmDescription: aws.String(p.AlarmDescription),
		ComparisonOperator: cwtypes.ComparisonOperator(p.ComparisonOperator), EvaluationPeriods: aws.Int32(p.EvaluationPeriods),
		MetricName: aws.String(p.MetricName), Namespace: aws.String(p.Namespace), Period: aws.Int32(p.Period),
		Statistic: cwtypes.Statistic(p.Statistic), Threshold: aws.Float64(p.Threshold), TreatMissingData: aws.String(p.TreatMissingData),
		AlarmActions: p.AlarmActions, OKActions: p.OKActions,
	}
	var dims []string
	for _, dim := range p.Dimensions {
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(dim.Name), Value: aws.String(dim.Value)})
		dims = append(dims, dim.Name+"="+dim.Value)
	}
	cw := m.CloudWatch()
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		return fmt.Errorf("alarm %s: put: %w", id, err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(out.MetricAlarms) != 1 {
		return fmt.Errorf("alarm %s: moto did not keep the alarm put on it (%v)", id, err)
	}
	d.AlarmNames[id] = name
	if p.Namespace == "AWS/SQS" && len(p.Dimensions) == 1 && d.DeadLetterURL != "" &&
		strings.HasSuffix(d.DeadLetterURL, "/"+p.Dimensions[0].Value) {
		d.DeadLetterAlarm = id
	}
	d.add(id, r.Type, "", Applied, fmt.Sprintf(
		"no moto CloudFormation support (listed CREATE_COMPLETE, nothing made): put with PutMetricAlarm as the template says (%s %s %s %s %v, %s) and read back; moto publishes no %s metrics and evaluates no alarm, so its condition is checked on the resource itself where the run can",
		p.Namespace, p.MetricName, p.Statistic, comparison(p.ComparisonOperator), p.Threshold, strings.Join(dims, ","), p.Namespace))
	d.short("alarms are not created: put with PutMetricAlarm (moto evaluates none)")
	return nil
}

func comparison(op string) string {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return ">="
	case "GreaterThanThreshold":
		return ">"
	case "LessThanThreshold":
		return "<"
	case "LessThanOrEqualToThreshold":
		return "<="
	}
	return op
}

func (m *Moto) checkDashboard(ctx context.Context, d *Deployment, id string, r Resource) error {
	name := d.Stack.Resources[id]
	if name == "" {
		return fmt.Errorf("dashboard %s: moto created none", id)
	}
	out, err := m.CloudWatch().GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("dashboard %s: %w", id, err)
	}
	var body struct {
		Widgets []json.RawMessage `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.DashboardBody)), &body); err != nil {
		return fmt.Errorf("dashboard %s: body is not JSON: %w", id, err)
	}
	want, err := d.Stack.Resolve(ctx, r.Properties["DashboardBody"])
	if err != nil {
		return fmt.Errorf("dashboard %s: DashboardBody: %w", id, err)
	}
	if fmt.Sprint(want) != aws.ToString(out.DashboardBody) {
		return fmt.Errorf("dashboard %s: moto's body differs from the template's, resolved", id)
	}
	d.add(id, r.Type, "", Real, fmt.Sprintf("GetDashboard %s: %d widgets, the body equals the template's with every reference resolved; moto draws no graphs", name, len(body.Widgets)))
	return nil
}

// checkTLSOnlyPolicy reads a bucket or queue policy in the template: moto
// has no CloudFormation support for either, and enforces no policy.
func (d *Deployment) checkTLSOnlyPolicy(id string, r Resource) error {
	doc, _ := r.Properties["PolicyDocument"].(map[string]any)
	stmts, _ := doc["Statement"].([]any)
	var denyTLS bool
	var others []string
	for _, s := range stmts {
		st, _ := s.(map[string]any)
		cond := compact(st["Condition"])
		if st["Effect"] == "Deny" && strings.Contains(cond, `"aws:SecureTransport":"false"`) {
			denyTLS = true
			continue
		}
		principal := compact(st["Principal"])
		others = append(others, fmt.Sprintf("%s %v to %s", st["Effect"], st["Action"], principal))
	}
	if !denyTLS {
		return fmt.Errorf("%s (%s): no Deny on aws:SecureTransport=false in the template", id, r.Type)
	}
	detail := "no moto CloudFormation support, and moto enforces no policy: checked in the template: TLS-only Deny on aws:SecureTransport=false"
	if len(others) > 0 {
		detail += "; also " + strings.Join(others, "; ")
	}
	d.add(id, r.Type, "", TemplateOnly, detail)
	return nil
}

// str formats a template or API value for comparison: JSON numbers that are
// whole print without an exponent.
func str(v any) string {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return fmt.Sprint(v)
}

func compact(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
