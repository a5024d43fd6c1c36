//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/childproc"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/internal/streamgen"
)

// TestMetricStreamShip deploys the logs stack in the metrics mode stream
// (-c elb-otel:enableMetrics=true -c elb-otel:metricsMode=stream) into moto,
// creates the delivery stream moto's CloudFormation does not create through
// its Firehose API, writes records in the metric stream's format (OpenTelemetry
// 1.0.0, built with OpenTelemetry's proto types) into it, lets Firehose write
// the objects, the deployed rule and queue deliver them and the Lambda
// bootstrap ship them, and checks every data point on the receiver exactly
// once with its values; then a truncated record's object must end in the
// dead-letter queue.
func TestMetricStreamShip(t *testing.T) {
	started := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	r := &run{root: repoRoot(t), work: t.TempDir(), built: make(chan struct{}), extraContext: map[string]string{
		"elb-otel:enableMetrics": "true", "elb-otel:metricsMode": "stream",
	}}
	phase := func(name string, f func(t *testing.T)) {
		t0 := time.Now()
		ok := t.Run(name, f)
		r.phaseTime = append(r.phaseTime, phaseTiming{name, time.Since(t0)})
		if !ok {
			t.Fatalf("phase %s failed; later phases depend on it", name)
		}
	}
	defer func() { r.report(t, time.Since(started)) }()
	s := &streamRun{run: r}
	phase("start", func(t *testing.T) { r.start(ctx, t) })
	phase("deploy", func(t *testing.T) { r.deploy(ctx, t) })
	phase("adapt", func(t *testing.T) { r.adapt(ctx, t); s.adapt(t) })
	// The bootstrap and the event source mapping act as the deployed function
	// role, as in the logs test: its grants on the metric stream's prefix are
	// exercised too.
	phase("assume_role", func(t *testing.T) { r.assumeRole(ctx, t) })
	phase("ship_metric_stream", func(t *testing.T) { s.ship(ctx, t) })
	phase("corrupt_metric_object_to_dlq", func(t *testing.T) { s.corruptToDLQ(ctx, t) })
	phase("destroy", func(t *testing.T) { r.destroy(ctx, t) })
}

type streamRun struct {
	*run
	ds      *localaws.DeliveryStream
	stream  streamgen.Stream
	updates []streamgen.Update
}

func (s *streamRun) adapt(t *testing.T) {
	if len(s.dep.DeliveryStreams) != 1 {
		t.Fatalf("the deployment has %d delivery streams, want 1", len(s.dep.DeliveryStreams))
	}
	s.ds = s.dep.DeliveryStreams[0]
	if s.ds.MetricStream == "" || s.ds.Bucket != s.dep.Bucket {
		t.Fatalf("delivery stream %+v: want one fed by the template's metric stream, writing to the log bucket %s", s.ds, s.dep.Bucket)
	}
	if got := s.dep.Function.Env["ELB_OTEL_METRICS_PREFIX"]; got != s.ds.Prefix {
		t.Fatalf("the function reads metric objects under %q, the delivery stream writes under %q", got, s.ds.Prefix)
	}
	t.Logf("moto has no metric streams and its CloudFormation creates no delivery streams: created %s through moto's Firehose API from the template (into s3://%s/%s); the metric stream %s (%s; %s) is checked in the template and its records are written by this test",
		s.ds.Name, s.ds.Bucket, s.ds.Prefix, s.ds.MetricStream, s.ds.OutputFormat, strings.Join(s.ds.Namespaces, ", "))
}

// putRecords writes the records into the delivery stream as one
// PutRecordBatch: moto writes them, concatenated, as one object.
func (s *streamRun) putRecords(ctx context.Context, t *testing.T, records ...[]byte) {
	in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(s.ds.Name)}
	for _, rec := range records {
		in.Records = append(in.Records, fhtypes.Record{Data: rec})
	}
	out, err := s.moto.Firehose().PutRecordBatch(ctx, in)
	if err != nil {
		t.Fatalf("firehose PutRecordBatch into %s: %v", s.ds.Name, err)
	}
	if aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("firehose PutRecordBatch: %d records failed", aws.ToInt32(out.FailedPutCount))
	}
}

// waitMessages waits until the queue holds n messages.
func (s *streamRun) waitMessages(ctx context.Context, t *testing.T, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, f := s.depth(ctx, t, s.queueURL)
		if v == n && f == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s the queue holds %d visible and %d in-flight messages, want %d: the rule did not deliver the delivery stream's objects", v, f, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *streamRun) ship(ctx context.Context, t *testing.T) {
	s.stream = streamgen.Stream{Account: localaws.Account, Region: localaws.Region, Name: "elb-otel-e2e"}
	start := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
	p := []float64{0.5, 0.9, 0.99}
	lbs := []struct {
		lb      streamgen.LoadBalancer
		metrics []streamgen.Metric
	}{
		{streamgen.LoadBalancer{Namespace: "AWS/ApplicationELB", Name: "app/shop/50dc6c495c0c9188", TargetGroups: []string{"targetgroup/shop-web/73e2d6bc24d8a067"},
			Zones: []string{localaws.Region + "a", localaws.Region + "b"}},
			[]streamgen.Metric{{Name: "RequestCount", Unit: "Count"}, {Name: "TargetResponseTime", Unit: "Seconds", Percentiles: p}, {Name: "HTTPCode_Target_5XX_Count", Unit: "Count"}}},
		{streamgen.LoadBalancer{Namespace: "AWS/NetworkELB", Name: "net/payments/c6e77e28c25b2234", Zones: []string{localaws.Region + "a"}},
			[]streamgen.Metric{{Name: "NewFlowCount", Unit: "Count"}, {Name: "ActiveFlowCount", Unit: "Count"}}},
		{streamgen.LoadBalancer{Namespace: "AWS/ELB", Name: "legacy-api", Zones: []string{localaws.Region + "a"}},
			[]streamgen.Metric{{Name: "Latency", Unit: "Seconds", Percentiles: p}, {Name: "RequestCount", Unit: "Count"}}},
	}
	for i, l := range lbs {
		s.updates = append(s.updates, streamgen.Updates(l.lb, l.metrics, start, 3, uint64(101+i))...)
	}
	// As CloudWatch does: several messages per record, several records per
	// batch. Two batches: two objects.
	var records [][]byte
	for i := 0; i < len(s.updates); i += 20 {
		j := min(i+20, len(s.updates))
		k := min(i+10, j)
		records = append(records, streamgen.Record(s.stream.Request(s.updates[i:k]), s.stream.Request(s.updates[k:j])))
	}
	half := len(records) / 2
	s.putRecords(ctx, t, records[:half]...)
	s.putRecords(ctx, t, records[half:]...)
	s.waitMessages(ctx, t, 2)
	keys := s.objectKeys(ctx, t)
	t.Logf("put %d metric updates in %d records (2 messages each) with 2 PutRecordBatch calls; moto's Firehose wrote %d objects (%s); the deployed rule delivered 2 messages",
		len(s.updates), len(records), len(keys), strings.Join(keys, ", "))

	var stdout, stderr childproc.SyncBuffer
	rt := s.startFunction(ctx, t, &stdout, &stderr)
	totals, err := s.esm(nil).Drain(ctx, rt, nil)
	rt.Close()
	if err != nil {
		t.Fatalf("event source mapping: %v\nfunction stderr:\n%s", err, stderr.String())
	}
	if totals.Failed > 0 || totals.Deleted != 2 {
		t.Fatalf("the function reported %d failures and deleted %d messages, want 0 and 2:\n%s", totals.Failed, totals.Deleted, stderr.String())
	}
	pts := s.recv.WaitForDataPoints(len(s.updates), 10*time.Second)
	problems := s.checkDataPoints(pts, keys)
	if errs := s.recv.Errors(); len(errs) > 0 {
		problems = append(problems, fmt.Sprintf("the receiver could not decode %d requests, first: %v", len(errs), errs[0]))
	}
	if n := len(s.recv.Records()); n != 0 {
		problems = append(problems, fmt.Sprintf("%d log records arrived: metric objects must never ship as log lines", n))
	}
	if len(problems) > 0 {
		t.Fatalf("%d problems:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	emf := readEMF(stdout.String())
	if emf.Objects != 2 || emf.Failed != 0 {
		t.Errorf("the function's EMF metrics say %+v, want 2 objects, no failures", emf)
	}
	t.Logf("bootstrap under lambdart: %d invocations, 2 messages deleted, none failed; receiver got %d data points in %d metrics requests, each update exactly once with its count, sum, minimum, maximum and percentiles; resource completed; no log records",
		totals.Batches, len(pts), s.recv.MetricRequests())
	s.fig("metric stream", "%d updates (ALB, NLB, Classic; 3 minutes) in 2 objects through moto's Firehose, rule, queue and the bootstrap: %d data points, each exactly once", len(s.updates), len(pts))
}

func (s *streamRun) objectKeys(ctx context.Context, t *testing.T) []string {
	// moto rejects the signature of any listing whose prefix holds "/" when it
	// enforces IAM (localaws.Moto.PauseIAM): this harness listing runs with
	// the checks paused; the function's own calls are not paused.
	var out *s3.ListObjectsV2Output
	err := s.moto.WithoutIAM(ctx, func() (err error) {
		out, err = s.moto.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s.ds.Bucket), Prefix: aws.String(s.ds.Prefix)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	sort.Strings(keys)
	return keys
}

// checkDataPoints checks every update arrived exactly once, with its values,
// its attributes and a completed resource.
func (s *streamRun) checkDataPoints(pts []otlptest.DataPoint, keys []string) []string {
	key := func(metric string, dims map[string]any, start uint64) string {
		names := make([]string, 0, len(dims))
		for k, v := range dims {
			names = append(names, fmt.Sprintf("%s=%v", k, v))
		}
		sort.Strings(names)
		return fmt.Sprintf("%s{%s}@%d", metric, strings.Join(names, ","), start)
	}
	want := map[string]streamgen.Update{}
	for _, u := range s.updates {
		dims := map[string]any{}
		for _, d := range u.Dimensions {
			dims[d[0]] = d[1]
		}
		want[key("amazonaws.com/"+u.Namespace+"/"+u.Metric, dims, uint64(u.Start.UnixNano()))] = u
	}
	var problems []string
	seen := map[string]int{}
	objects := map[string]bool{}
	for _, k := range keys {
		objects[k] = true
	}
	for _, p := range pts {
		dims, _ := p.Attributes["Dimensions"].(map[string]any)
		k := key(p.Metric, dims, p.Start)
		seen[k]++
		u, ok := want[k]
		switch {
		case !ok:
			problems = append(problems, "unknown data point "+k)
			continue
		case seen[k] == 2:
			problems = append(problems, "duplicate data point "+k)
		}
		if p.Type != "summary" || p.Count != u.Count || p.Sum != u.Sum || p.Quantiles[0] != u.Min || p.Quantiles[1] != u.Max ||
			p.Time != uint64(u.Start.Add(time.Minute).UnixNano()) || p.Unit != u.Unit {
			problems = append(problems, fmt.Sprintf("%s: got %s count %d sum %v quantiles %v time %d unit %q, want count %d sum %v min %v max %v", k, p.Type, p.Count, p.Sum, p.Quantiles, p.Time, p.Unit, u.Count, u.Sum, u.Min, u.Max))
		}
		for q, v := range u.Percentiles {
			if p.Quantiles[q] != v {
				problems = append(problems, fmt.Sprintf("%s: quantile %v = %v, want %v", k, q, p.Quantiles[q], v))
			}
		}
		if p.Attributes["Namespace"] != u.Namespace || p.Attributes["MetricName"] != u.Metric {
			problems = append(problems, fmt.Sprintf("%s: attributes %v", k, p.Attributes))
		}
		res := p.Resource
		if res["cloud.account.id"] != localaws.Account || res["cloud.region"] != localaws.Region || res["aws.exporter.arn"] != s.stream.ARN() ||
			res["service.name"] != "elb" || res["aws.s3.bucket"] != s.ds.Bucket || !objects[fmt.Sprint(res["aws.s3.key"])] {
			problems = append(problems, fmt.Sprintf("%s: resource %v", k, res))
		}
	}
	for k := range want {
		if seen[k] == 0 {
			problems = append(problems, "missing data point "+k)
		}
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("... %d more", len(problems)-10))
	}
	return problems
}

// corruptToDLQ writes a record cut short: the object's last message is
// truncated. The function must fail it every time, and SQS (moto) must move
// it to the dead-letter queue after maxReceiveCount receives.
func (s *streamRun) corruptToDLQ(ctx context.Context, t *testing.T) {
	rec := streamgen.Record(s.stream.Request(s.updates[:5]), s.stream.Request(s.updates[5:10]))
	before := len(s.recv.DataPoints())
	keysBefore := len(s.objectKeys(ctx, t))
	s.putRecords(ctx, t, rec[:len(rec)-7])
	s.waitMessages(ctx, t, 1)
	keys := s.objectKeys(ctx, t)
	if len(keys) != keysBefore+1 {
		t.Fatalf("%d objects under %s, want %d", len(keys), s.ds.Prefix, keysBefore+1)
	}

	var stderr childproc.SyncBuffer
	rt := s.startFunction(ctx, t, io.Discard, &stderr)
	zero := time.Duration(0)
	b, err := s.esm(&zero).Poll(ctx, rt)
	rt.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 1 || b.Result.Error != nil || len(b.Response.BatchItemFailures) != 1 {
		t.Fatalf("the bootstrap got %d messages, error %v, %d batch item failures: want the truncated object's message reported as failed\n%s",
			len(b.Messages), b.Result.Error, len(b.Response.BatchItemFailures), stderr.String())
	}
	if !strings.Contains(stderr.String(), "corrupt metric-stream object") || !strings.Contains(stderr.String(), "truncated") {
		t.Errorf("the function's log does not say the object is a truncated metric-stream object:\n%s", stderr.String())
	}
	out := s.consume(ctx, t, "--retry-delay", "0s")
	attempts := 1 + strings.Count(out, "message failed")
	if attempts != s.dep.MaxReceiveCount {
		t.Errorf("the truncated object was tried %d times, want the queue's maxReceiveCount %d", attempts, s.dep.MaxReceiveCount)
	}
	if v, f := s.depth(ctx, t, s.queueURL); v+f != 0 {
		t.Fatalf("the work queue still holds %d visible and %d in-flight messages", v, f)
	}
	dlq, err := s.moto.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.dlqURL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	last := keys[len(keys)-1]
	if len(dlq.Messages) != 1 {
		t.Fatalf("the dead-letter queue holds %d messages, want 1", len(dlq.Messages))
	}
	// The whole message before the truncated one (5 updates) is exported at
	// each attempt, then the object fails: at least once, never lost.
	if n := len(s.recv.DataPoints()) - before; n != 5*attempts {
		t.Errorf("%d data points arrived from the truncated object, want its whole first message's 5 at each of the %d attempts", n, attempts)
	}
	t.Logf("truncated metric-stream object %s: its whole first message exported at each attempt, then failed with the truncated message named; tried %d times (= maxReceiveCount), then moved to the dead-letter queue; work queue empty", last, attempts)
	s.fig("metric DLQ", "1 truncated metric-stream object, %d attempts, parked in the DLQ", attempts)
}
