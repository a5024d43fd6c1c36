// Package metricsrun plays the metrics path end to end on this machine, for
// the end-to-end test and the demo: known ELB datapoints into moto's
// CloudWatch, `cdk deploy ElbOtelMetrics` into moto with the pinned CDK CLI
// (given VPC and subnets, a headers secret in moto's Secrets Manager), the
// deployed task definition read back from moto's ECS API and played by
// package ecstask (config writer, YACE and the OpenTelemetry Collector as
// local processes, built from the Go module proxy), and what a loopback OTLP
// receiver got checked bucket by bucket by package metricscheck.
package metricsrun

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/ecstask"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/metricscheck"
	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// StackName is the metrics stack.
const StackName = "ElbOtelMetrics"

// The load balancer and target group of the data (ARNs in moto's account).
const (
	LoadBalancerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
	TargetGroupArn  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067"
	HeaderValue     = "s3cr3t-metrics-key"
)

// Options configure Run.
type Options struct {
	// Root is the repository (cdk.json, node_modules); Work a scratch
	// directory.
	Root, Work string
	// Otelcol and YACE are the binaries `make otelcol` and `make yace`
	// built.
	Otelcol, YACE string
	// Periods is how many consecutive periods to wait for. Default: 4.
	Periods int
	// Log receives the narration. Default: discarded.
	Log io.Writer
}

// Run is one metrics run: its parts, kept for the caller's checks.
type Run struct {
	opts     Options
	Moto     *localaws.Moto
	Receiver *otlptest.MetricsReceiver
	Recorder *metricscheck.Recorder
	Data     metricscheck.Dataset
	Network  localaws.Network
	Secret   string // the headers secret's ARN
	CDK      *localaws.CDK
	Context  map[string]string
	Task     *ecstask.Task
	Def      *ecstask.TaskDefinition
	Took     map[string]time.Duration

	recvSrv, recSrv *httptest.Server
}

func (r *Run) logf(format string, a ...any) { fmt.Fprintf(r.opts.Log, format+"\n", a...) }

// Start starts moto, the OTLP receiver and the GetMetricData recorder, makes
// the network and the headers secret, and puts the data.
func Start(ctx context.Context, opts Options) (*Run, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Periods <= 0 {
		opts.Periods = 4
	}
	for _, b := range []string{opts.Otelcol, opts.YACE} {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("metricsrun: %v: run `make otelcol yace` (cached under ~/.cache/elb-otel)", err)
		}
	}
	r := &Run{opts: opts, Took: map[string]time.Duration{}, Receiver: &otlptest.MetricsReceiver{}}
	m, err := localaws.Start(ctx, localaws.Options{OutputTail: 1 << 20})
	if err != nil {
		return nil, err
	}
	r.Moto = m
	r.recvSrv = httptest.NewServer(r.Receiver)
	target, _ := url.Parse(m.URL)
	r.Recorder = metricscheck.NewRecorder(target)
	r.recSrv = httptest.NewServer(r.Recorder)
	r.logf("moto_server %s (pid %d); OTLP receiver %s; exporter's AWS endpoint %s (records GetMetricData windows, passes every call to moto)",
		m.URL, m.Pid(), r.recvSrv.URL, r.recSrv.URL)

	if r.Network, err = m.CreateNetwork(ctx, "us-east-1a", "us-east-1b"); err != nil {
		r.Close()
		return nil, err
	}
	if r.Secret, err = r.createSecret(ctx); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.putData(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close stops the task, the servers and moto.
func (r *Run) Close() {
	if r.Task != nil {
		_ = r.Task.Stop()
	}
	for _, s := range []*httptest.Server{r.recvSrv, r.recSrv} {
		if s != nil {
			s.Close()
		}
	}
	if r.Moto != nil {
		r.Moto.Stop()
	}
}

// RecorderURL is the AWS endpoint the exporter is given.
func (r *Run) RecorderURL() string { return r.recSrv.URL }

// ReceiverURL is the OTLP receiver's base URL.
func (r *Run) ReceiverURL() string { return r.recvSrv.URL }

// Deploy bootstraps and deploys the metrics stack with exporter (yace or
// cloudwatch-exporter) and scrape interval, then reads the task definition
// back from moto's ECS API.
func (r *Run) Deploy(ctx context.Context, exporter elbmetrics.ExporterKind, interval time.Duration) error {
	t0 := time.Now()
	if r.CDK == nil {
		r.CDK = r.Moto.CDK(r.opts.Root, filepath.Join(r.opts.Work, "cdk.out"), nil)
		if err := r.CDK.Bootstrap(ctx); err != nil {
			return err
		}
	} else {
		// moto cannot update a stack through a change set (the CLI's update
		// fails: "Stack with id cdk-deploy-change-set does not exist"), so a
		// second deploy destroys the stack first.
		if err := r.CDK.Destroy(ctx, StackName, r.Context); err != nil {
			return err
		}
		if gone, how, err := r.Moto.StackGone(ctx, StackName); err != nil || !gone {
			return fmt.Errorf("metricsrun: after cdk destroy CloudFormation still has %s: %s %v", StackName, how, err)
		}
		r.logf("cdk destroy %s: gone (moto cannot update a stack through a change set, so it is deployed anew)", StackName)
	}
	r.Context = map[string]string{
		"elb-otel:enableLogs":                   "false",
		"elb-otel:enableMetrics":                "true",
		"elb-otel:otlpEndpoint":                 r.recvSrv.URL,
		"elb-otel:allowInsecureEndpoint":        "true",
		"elb-otel:metricsExporter":              string(exporter),
		"elb-otel:metricsScrapeIntervalSeconds": fmt.Sprint(int(interval / time.Second)),
		"elb-otel:loadBalancers":                fmt.Sprintf(`[{"arn":%q,"targetGroupArns":[%q]}]`, LoadBalancerArn, TargetGroupArn),
		"elb-otel:vpcId":                        r.Network.VpcID,
		"elb-otel:subnetIds":                    r.Network.SubnetIDs[0] + "," + r.Network.SubnetIDs[1],
		"elb-otel:headersSecretArn":             r.Secret,
		"elb-otel:headerNames":                  "api-key",
		// moto fails a whole GetMetricData request (500) when one query asks
		// for a percentile: it cannot serialize the missing value.
		"elb-otel:metricsDropMetrics": "TargetResponseTime",
	}
	if err := r.CDK.Deploy(ctx, StackName, r.Context, filepath.Join(r.opts.Work, "outputs.json")); err != nil {
		return err
	}
	stack, err := r.Moto.DescribeStack(ctx, StackName)
	if err != nil {
		return err
	}
	id, err := stack.Template.One("AWS::ECS::TaskDefinition")
	if err != nil {
		return err
	}
	arn := stack.Resources[id]
	if arn == "" {
		return fmt.Errorf("metricsrun: moto's CloudFormation has no physical id for %s", id)
	}
	if r.Def, err = ecstask.Describe(ctx, r.Moto, arn); err != nil {
		return err
	}
	r.Took["deploy "+string(exporter)] = time.Since(t0)
	r.logf("cdk deploy %s (-c elb-otel:metricsExporter=%s, scrape interval %s): %.1fs; task definition %s, read back from moto's ECS",
		StackName, exporter, interval, time.Since(t0).Seconds(), arn)
	return nil
}
