// Command demo shows elb-otel end to end on a machine with no AWS account and
// no Docker (`make demo`): it starts moto_server (a local AWS API) and an
// OTLP receiver, deploys the logs stack into moto with the pinned CDK CLI,
// writes a few minutes of realistic ELB access and connection logs into the
// deployed bucket, and prints what arrives at the receiver as OTLP log
// records; then it destroys the stack, stops everything it started and
// checks that no process is left behind. Then the metrics path: known ELB
// datapoints in moto's CloudWatch, the metrics stack deployed with YACE, its
// task definition played here, and the OTLP metrics that arrive.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/childproc"
	"github.com/elb-otel/elb-otel/internal/lambdart"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/loggen"
)

const stackName = "ElbOtelLogs"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 12*time.Minute)
	defer cancel()
	d := &demo{start: time.Now(), out: os.Stdout}
	err := d.run(ctx)
	d.teardown()
	if err == nil {
		root, _ := repoRoot()
		err = d.metrics(ctx, root)
	}
	err = errors.Join(err, d.leftovers())
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
	d.say("done in %.0f s", time.Since(d.start).Seconds())
}

type demo struct {
	start time.Time
	out   io.Writer
	work  string

	moto     *localaws.Moto
	recv     *otlptest.Receiver
	cdk      *localaws.CDK
	cdkCtx   map[string]string
	deployed bool
	dep      *localaws.Deployment
	rt       *lambdart.Runtime
	fnLog    childproc.SyncBuffer // the function's stderr
	pollStop context.CancelFunc
	pollDone chan struct{}
	pollErr  error
	pids     map[string]int // processes started, for the leftover check
	sampled  bool           // one record of each format was printed

	mu sync.Mutex
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "[%5.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

func (d *demo) run(ctx context.Context) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	d.work, err = os.MkdirTemp("", "elb-otel-demo-")
	if err != nil {
		return err
	}
	d.pids = map[string]int{}
	fmt.Fprintln(d.out, "elb-otel demo: ELB logs -> S3 -> EventBridge -> SQS -> the Go Lambda function -> OTLP, on this machine.")
	fmt.Fprintln(d.out, "moto_server stands in for AWS (S3, SQS, EventBridge, CloudFormation, Lambda's API); the function's")
	fmt.Fprintln(d.out, "own binary runs under a local Lambda Runtime API. No AWS account, no Docker.")
	fmt.Fprintln(d.out)

	built := make(chan error, 1)
	var bootstrap string
	go func() {
		var err error
		bootstrap, err = lambdart.Build(ctx, root, "./lambda/cmd/bootstrap", filepath.Join(d.work, "fn"))
		built <- err
	}()

	d.moto, err = localaws.Start(ctx, localaws.Options{})
	if err != nil {
		return err
	}
	d.pids["moto_server"] = d.moto.Pid()
	d.say("moto_server answers on %s (pid %d)", d.moto.URL, d.moto.Pid())
	d.recv, err = otlptest.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	d.say("OTLP/HTTP receiver listens on %s", d.recv.URL)

	if err := d.deploy(ctx, root); err != nil {
		return err
	}
	d.printShortfalls()

	if err := <-built; err != nil {
		return err
	}
	if err := d.startFunction(ctx, bootstrap); err != nil {
		return err
	}
	if err := d.traffic(ctx); err != nil {
		return err
	}
	d.summary()
	return nil
}

// deploy bootstraps CDK against moto, deploys the demo stack and adapts what
// moto made of it (d.dep).
func (d *demo) deploy(ctx context.Context, root string) error {
	var cdkLog bytes.Buffer
	d.cdk = d.moto.CDK(root, filepath.Join(d.work, "cdk.out"), &cdkLog)
	d.cdkCtx = map[string]string{"elb-otel:otlpEndpoint": d.recv.URL, "elb-otel:allowInsecureEndpoint": "true"}
	if err := d.cdk.Bootstrap(ctx); err != nil {
		return err
	}
	d.say("cdk bootstrap aws://%s/%s: done", localaws.Account, localaws.Region)
	d.deployed = true // from here on, teardown destroys the stack
	if err := d.cdk.Deploy(ctx, stackName, d.cdkCtx, filepath.Join(d.work, "outputs.json")); err != nil {
		return err
	}
	d.say("cdk deploy %s -c elb-otel:otlpEndpoint=%s: done", stackName, d.recv.URL)
	stack, err := d.moto.DescribeStack(ctx, stackName)
	if err != nil {
		return err
	}
	d.dep, err = d.moto.Adapt(ctx, stack)
	if err != nil {
		return err
	}
	d.say("deployed: bucket %s, queue %s, function %s", d.dep.Bucket, lastSegment(d.dep.QueueURL), d.dep.Function.Name)
	return nil
}

// printShortfalls lists, once each, where moto falls short of AWS and the demo
// stands in.
func (d *demo) printShortfalls() {
	d.say("where moto falls short of AWS, the demo stands in (`make e2e` checks each of these):")
	count := map[string]int{}
	var shorts []string
	for _, f := range d.dep.Findings {
		if f.Short == "" {
			continue
		}
		if count[f.Short] == 0 {
			shorts = append(shorts, f.Short)
		}
		count[f.Short]++
	}
	for _, s := range shorts {
		if n := count[s]; n > 1 {
			s = fmt.Sprintf("%s (x%d)", s, n)
		}
		fmt.Fprintf(d.out, "          - %s\n", s)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }

// startFunction runs the bootstrap under lambdart and polls the queue with
// the deployed event source mapping's settings, as Lambda would.
func (d *demo) startFunction(ctx context.Context, bootstrap string) error {
	f := d.dep.Function
	rt, err := lambdart.Start(ctx, lambdart.Options{
		Bootstrap: bootstrap,
		Function: lambdart.Function{Name: f.Name, ARN: f.ARN, Region: localaws.Region, MemoryMiB: f.MemoryMiB,
			Timeout: f.Timeout, Env: f.Env, LogFormat: f.LogFormat, LogGroup: f.LogGroup},
		Env:    d.moto.EnvVars(),
		Stdout: io.Discard, Stderr: &d.fnLog,
	})
	if err != nil {
		return err
	}
	d.rt = rt
	d.pids["bootstrap"] = rt.Pid()
	d.say("the function's bootstrap (%s/%s build of the deployed code) runs under a local Lambda Runtime API (pid %d);", runtime.GOOS, runtime.GOARCH, rt.Pid())
	d.say("an event source mapping polls the queue: BatchSize %d, ReportBatchItemFailures %v", d.dep.EventSource.BatchSize, d.dep.EventSource.ReportBatchItemFailures)
	esm := &lambdart.EventSourceMapping{
		SQS: d.moto.SQS(), QueueURL: d.dep.QueueURL, QueueARN: d.dep.QueueARN, Region: localaws.Region,
		BatchSize: d.dep.EventSource.BatchSize, ReportBatchItemFailures: d.dep.EventSource.ReportBatchItemFailures,
		WaitTime: time.Second,
	}
	pollCtx, cancel := context.WithCancel(ctx)
	d.pollStop, d.pollDone = cancel, make(chan struct{})
	go func() {
		defer close(d.pollDone)
		for pollCtx.Err() == nil {
			b, err := esm.Poll(pollCtx, rt)
			if err != nil && pollCtx.Err() == nil {
				d.mu.Lock()
				d.pollErr = err
				d.mu.Unlock()
				return
			}
			if len(b.Messages) > 0 {
				d.say("  function: invoked with %s, %d ms, %d failed", plural(len(b.Messages), "message"), b.Result.Duration.Milliseconds(), len(b.Failed))
			}
		}
	}()
	return nil
}

// interval is one 5-minute delivery of every load balancer's log files.
type interval struct {
	start time.Time
	files []file
	lines int
}

type file struct {
	key   string
	body  []byte
	lines int
	kind  loggen.Kind
}

// traffic writes three 5-minute intervals of logs for three load balancers
// (an ALB with two nodes and connection logs, a TLS NLB, a Classic load
// balancer), one interval every few seconds, and waits for each to arrive.
func (d *demo) traffic(ctx context.Context) error {
	now := time.Now().UTC().Truncate(5 * time.Minute)
	const intervals = 3
	fmt.Fprintln(d.out)
	d.say("writing %d minutes of ELB logs into s3://%s, one 5-minute delivery at a time:", intervals*5, d.dep.Bucket)
	client := d.moto.S3()
	total := 0
	for i := 0; i < intervals; i++ {
		iv := makeInterval(now.Add(time.Duration(i-intervals)*5*time.Minute), uint64(i+1))
		before := len(d.recv.Records())
		for _, f := range iv.files {
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(d.dep.Bucket), Key: aws.String(f.key), Body: bytes.NewReader(f.body)}); err != nil {
				return fmt.Errorf("put %s: %w", f.key, err)
			}
		}
		d.say("%s-%s UTC: put %d objects (%s), %d lines", iv.start.Format("15:04"), iv.start.Add(5*time.Minute).Format("15:04"),
			len(iv.files), describe(iv.files), iv.lines)
		recs := d.recv.WaitFor(before+iv.lines, 60*time.Second)
		d.mu.Lock()
		pollErr := d.pollErr
		d.mu.Unlock()
		if pollErr != nil {
			return fmt.Errorf("event source mapping: %w\nfunction log:\n%s", pollErr, d.fnLog.String())
		}
		if got := len(recs) - before; got < iv.lines {
			return fmt.Errorf("only %d of %d records arrived within 60 s; function log:\n%s", got, iv.lines, d.fnLog.String())
		}
		d.arrived(recs[before:])
		total += iv.lines
		time.Sleep(1500 * time.Millisecond)
	}
	d.say("all %d lines arrived as %d OTLP log records", total, len(d.recv.Records()))
	return nil
}

func describe(files []file) string {
	n := map[string]int{}
	var order []string
	for _, f := range files {
		name := kindName(f.kind)
		if n[name] == 0 {
			order = append(order, name)
		}
		n[name]++
	}
	var parts []string
	for _, name := range order {
		parts = append(parts, fmt.Sprintf("%d %s", n[name], name))
	}
	return strings.Join(parts, ", ")
}

func kindName(k loggen.Kind) string {
	switch k {
	case loggen.ALB:
		return "ALB access"
	case loggen.ALBConnection:
		return "ALB connection"
	case loggen.NLB:
		return "NLB access"
	}
	return "Classic access"
}

func makeInterval(start time.Time, seed uint64) interval {
	iv := interval{start: start}
	add := func(kind loggen.Kind, node, lines int, gz bool) {
		g := loggen.New(kind, seed*100+uint64(node), start)
		var raw bytes.Buffer
		g.Write(&raw, lines) //nolint:errcheck // to memory
		body := raw.Bytes()
		if gz {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(body) //nolint:errcheck
			zw.Close()     //nolint:errcheck
			body = z.Bytes()
		}
		key := strings.ReplaceAll(g.Key("", int(seed)*10+node), "eu-west-1", localaws.Region)
		if node == 2 { // the second ALB node logs from its own address
			key = strings.Replace(key, "_10.0.1.5_", "_10.0.2.7_", 1)
		}
		iv.files = append(iv.files, file{key: key, body: body, lines: lines, kind: kind})
		iv.lines += lines
	}
	add(loggen.ALB, 1, 1400, true)
	add(loggen.ALB, 2, 1100, true)
	add(loggen.ALBConnection, 3, 300, true)
	add(loggen.NLB, 4, 450, true)
	add(loggen.CLB, 5, 500, false)
	return iv
}

// arrived prints the records of one interval as they reached the receiver:
// per load balancer, and one record of each format in full.
func (d *demo) arrived(recs []otlptest.Record) {
	type agg struct {
		n, errs, warns int
		format         string
	}
	per := map[string]*agg{}
	var names []string
	sample := map[string]otlptest.Record{}
	for _, r := range recs {
		lb := lbName(r) + " " + str(r.Attributes["aws.elb.log.format"])
		a := per[lb]
		if a == nil {
			a = &agg{format: str(r.Attributes["aws.elb.log.format"])}
			per[lb] = a
			names = append(names, lb)
		}
		a.n++
		switch {
		case r.Severity >= 17:
			a.errs++
		case r.Severity >= 13:
			a.warns++
		}
		f := str(r.Attributes["aws.elb.log.format"])
		if _, ok := sample[f]; !ok {
			sample[f] = r
		}
	}
	sort.Strings(names)
	for _, lb := range names {
		a := per[lb]
		name, _, _ := strings.Cut(lb, " ")
		fmt.Fprintf(d.out, "          receiver: %-20s %-15s %5d records: %3d ERROR, %3d WARN\n", name, a.format, a.n, a.errs, a.warns)
	}
	if len(sample) > 0 && !d.sampled {
		d.sampled = true
		fmt.Fprintln(d.out, "          one record of each format, as the receiver decoded it:")
		formats := make([]string, 0, len(sample))
		for f := range sample {
			formats = append(formats, f)
		}
		sort.Strings(formats)
		for _, f := range formats {
			fmt.Fprintf(d.out, "%s", formatRecord(sample[f]))
		}
	}
}

func lbName(r otlptest.Record) string {
	id := str(r.Resource["cloud.resource_id"])
	_, after, ok := strings.Cut(id, ":loadbalancer/")
	if !ok {
		return id
	}
	parts := strings.Split(after, "/")
	if len(parts) == 3 {
		return parts[0] + "/" + parts[1]
	}
	return "classic/" + after
}

func formatRecord(r otlptest.Record) string {
	var b strings.Builder
	ts := time.Unix(0, int64(r.TimeUnixNano)).UTC().Format("15:04:05.000")
	fmt.Fprintf(&b, "            %s %-5s %s  trace=%s\n", ts, r.SeverityText, lbName(r), orDash(r.TraceID))
	keys := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var attrs []string
	for _, k := range keys {
		v := r.Attributes[k]
		switch x := v.(type) {
		case string:
			if len(x) > 48 {
				x = x[:45] + "..."
			}
			attrs = append(attrs, fmt.Sprintf("%s=%q", k, x))
		case int64:
			attrs = append(attrs, fmt.Sprintf("%s=%d", k, x))
		case float64:
			attrs = append(attrs, fmt.Sprintf("%s=%g", k, x))
		default:
			attrs = append(attrs, fmt.Sprintf("%s=%v", k, x))
		}
	}
	line := "              "
	for _, a := range attrs {
		if len(line)+len(a) > 118 {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = "              "
		}
		line += a + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// teardown destroys the stack and stops what the demo started, in reverse.
func (d *demo) teardown() {
	if d.pollStop != nil {
		d.pollStop()
		<-d.pollDone
	}
	if d.rt != nil {
		d.rt.Close() //nolint:errcheck // it was running: the poller used it
		d.say("function stopped (SIGTERM, as Lambda ends an execution environment)")
	}
	if d.deployed {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := d.cdk.Destroy(ctx, stackName, d.cdkCtx); err != nil {
			d.say("cdk destroy failed: %v", err)
		} else if gone, how, err := d.moto.StackGone(ctx, stackName); err == nil && gone {
			d.say("cdk destroy %s: done (CloudFormation: %s; the log bucket is kept: RemovalPolicy RETAIN)", stackName, how)
		} else {
			d.say("cdk destroy %s: the stack is still there (%s %v)", stackName, how, err)
		}
		cancel()
	}
	if d.recv != nil {
		d.recv.Close()
	}
	if d.moto != nil {
		d.moto.Stop()
		d.say("moto_server stopped")
	}
	if d.work != "" {
		os.RemoveAll(d.work)
	}
}

// leftovers checks with ps that no process the demo started is still running.
func (d *demo) leftovers() error {
	out, err := exec.Command("ps", "-eo", "pid=,ppid=,args=").Output()
	if err != nil {
		return fmt.Errorf("ps: %w", err)
	}
	children := map[int][]int{}
	args := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		pid, _ := strconv.Atoi(f[0])
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
		args[pid] = strings.Join(f[2:], " ")
	}
	self := os.Getpid()
	var left []string
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			if !strings.HasPrefix(args[c], "ps ") {
				left = append(left, fmt.Sprintf("%d %s", c, args[c]))
			}
			walk(c)
		}
	}
	walk(self)
	for name, pid := range d.pids {
		if a, ok := args[pid]; ok && !strings.Contains(a, "<defunct>") {
			left = append(left, fmt.Sprintf("%d %s (%s)", pid, a, name))
		}
	}
	if len(left) > 0 {
		return errors.New("processes left behind:\n  " + strings.Join(left, "\n  "))
	}
	names := make([]string, 0, len(d.pids))
	for name, pid := range d.pids {
		names = append(names, fmt.Sprintf("%s %d", name, pid))
	}
	sort.Strings(names)
	d.say("ps: no process left behind (%s gone, no child of the demo running)", strings.Join(names, ", "))
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "cdk.json")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", "cdk")); err != nil {
				return "", fmt.Errorf("the pinned CDK CLI is not installed in %s: run `make demo` (or `make deps` first)", dir)
			}
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the demo from the elb-otel repository (no cdk.json found above the working directory)")
		}
		dir = parent
	}
}
