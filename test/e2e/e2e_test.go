//go:build e2e

package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/internal/childproc"
	"github.com/elb-otel/elb-otel/internal/lambdart"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/loggen"
)

// The package uses no jsii (it drives the CDK CLI as a user does), so its
// TestMain has nothing to close.
func TestMain(m *testing.M) { os.Exit(m.Run()) }

const stackName = "ElbOtelLogs"

// run is the state the phases of TestDeployShipDestroy share.
type run struct {
	root, work string
	moto       *localaws.Moto
	recv       *otlptest.Receiver
	cdk        *localaws.CDK
	cdkContext map[string]string
	// extraContext is added to the deploy's context (the metric stream test's).
	extraContext map[string]string
	dep          *localaws.Deployment
	queueURL     string // the QueueUrl output
	dlqURL       string // the DeadLetterQueueUrl output
	bootstrap    string // the Lambda bootstrap, built for this machine
	cli          string // the elb-otel CLI
	buildErr     error
	built        chan struct{}

	files     []logFile // every well-formed log file uploaded
	consumed  []logFile // those shipped by elb-otel consume
	lambdaed  []logFile // those shipped by the bootstrap under lambdart
	poison    logFile
	figures   []figure
	phaseTime []phaseTiming

	consumeMsgs, lambdaMsgs, lambdaBatches, dlqAttempts int
	emf                                                 emfTotals

	iam iamState // the function role's session and what the IAM phases found
}

type figure struct{ name, value string }

type phaseTiming struct {
	name string
	took time.Duration
}

func (r *run) fig(name string, format string, args ...any) {
	r.figures = append(r.figures, figure{name, fmt.Sprintf(format, args...)})
}

// TestDeployShipDestroy deploys the logs stack into moto (IAM enforced) with
// the pinned CDK CLI, ships real-format ELB logs through the deployed bucket,
// rule and queue with `elb-otel consume` and with the Lambda bootstrap under
// a local runtime API, both acting as the deployed function role (headers
// from the secret, deletion, versioned reads, a continuation, a backfill),
// checks every record on a loopback OTLP receiver, parks a corrupt object in
// the dead-letter queue, shows that every statement of the role is needed,
// and destroys the stack.
func TestDeployShipDestroy(t *testing.T) {
	t.Parallel() // alongside TestMetricsDeployPlayCheck, which mostly waits for periods
	started := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	r := &run{root: repoRoot(t), work: t.TempDir(), built: make(chan struct{})}

	phase := func(name string, f func(t *testing.T)) {
		t0 := time.Now()
		ok := t.Run(name, f)
		r.phaseTime = append(r.phaseTime, phaseTiming{name, time.Since(t0)})
		if !ok {
			t.Fatalf("phase %s failed; later phases depend on it", name)
		}
	}
	defer func() { r.report(t, time.Since(started)) }()

	phase("start", func(t *testing.T) { r.start(ctx, t) })
	phase("deploy", func(t *testing.T) { r.deploy(ctx, t) })
	phase("adapt", func(t *testing.T) { r.adapt(ctx, t) })
	phase("assume_role", func(t *testing.T) { r.assumeRole(ctx, t) })
	phase("deployed_code", func(t *testing.T) { r.deployedCode(ctx, t) })
	phase("ship_with_consume", func(t *testing.T) { r.shipWithConsume(ctx, t) })
	phase("ship_with_lambda", func(t *testing.T) { r.shipWithLambda(ctx, t) })
	phase("continue_and_backfill", func(t *testing.T) { r.continueAndBackfill(ctx, t) })
	phase("check_records", func(t *testing.T) { r.checkRecords(t) })
	phase("poison_to_dlq", func(t *testing.T) { r.poisonToDLQ(ctx, t) })
	phase("every_statement_needed", func(t *testing.T) { r.everyStatementNeeded(ctx, t) })
	phase("destroy", func(t *testing.T) { r.destroy(ctx, t) })
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "cdk.json")); err != nil {
		t.Fatalf("no cdk.json in %s: %v", root, err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", ".bin", "cdk")); err != nil {
		t.Fatalf("the pinned CDK CLI is not installed (%v): run `make deps` (npm ci)", err)
	}
	return root
}

// start starts moto and the receiver, and builds the binaries meanwhile.
func (r *run) start(ctx context.Context, t *testing.T) {
	go func() {
		defer close(r.built)
		var wg sync.WaitGroup
		var errBoot, errCLI error
		wg.Add(2)
		go func() {
			defer wg.Done()
			r.bootstrap, errBoot = lambdart.Build(ctx, r.root, "./lambda/cmd/bootstrap", filepath.Join(r.work, "fn"))
		}()
		go func() {
			defer wg.Done()
			r.cli = filepath.Join(r.work, "elb-otel")
			cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-o", r.cli, "./lambda/cmd/elb-otel")
			cmd.Dir = r.root
			if out, err := cmd.CombinedOutput(); err != nil {
				errCLI = fmt.Errorf("go build elb-otel: %v\n%s", err, out)
			}
		}()
		wg.Wait()
		if errBoot != nil {
			r.buildErr = errBoot
		} else {
			r.buildErr = errCLI
		}
	}()
	m, err := localaws.Start(ctx, localaws.Options{EnforceIAM: true})
	if err != nil {
		t.Fatal(err)
	}
	r.moto = m // stopped by report, when the whole test ends
	recv, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.recv = recv
	t.Logf("moto_server %s (pid %d) with IAM enforced (INITIAL_NO_AUTH_ACTION_COUNT: the first calls made the administrator %s, every later call is checked), OTLP receiver %s",
		m.URL, m.Pid(), localaws.AdminARN, recv.URL)
}

func (r *run) stop() {
	if r.recv != nil {
		r.recv.Close()
	}
	if r.moto != nil {
		r.moto.Stop()
	}
}

func (r *run) deploy(ctx context.Context, t *testing.T) {
	var log bytes.Buffer
	r.cdk = r.moto.CDK(r.root, filepath.Join(r.work, "cdk.out"), &log)
	r.createHeadersSecret(ctx, t)
	r.cdkContext = map[string]string{
		"elb-otel:otlpEndpoint":           r.recv.URL,
		"elb-otel:allowInsecureEndpoint":  "true",
		"elb-otel:deleteProcessedObjects": "true",
		"elb-otel:enableBackfill":         "true",
		"elb-otel:headersSecretArn":       r.iam.secretARN,
	}
	for k, v := range r.extraContext {
		r.cdkContext[k] = v
	}
	t0 := time.Now()
	if err := r.cdk.Bootstrap(ctx); err != nil {
		t.Fatalf("cdk bootstrap: %v", err)
	}
	t.Logf("cdk bootstrap aws://%s/%s: %.1fs", localaws.Account, localaws.Region, time.Since(t0).Seconds())
	t0 = time.Now()
	outputs := filepath.Join(r.work, "outputs.json")
	if err := r.cdk.Deploy(ctx, stackName, r.cdkContext, outputs); err != nil {
		t.Fatalf("cdk deploy: %v", err)
	}
	t.Logf("cdk deploy %s -c elb-otel:otlpEndpoint=%s: %.1fs", stackName, r.recv.URL, time.Since(t0).Seconds())
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(l, "CREATE_COMPLETE") || strings.Contains(l, "✅") {
			t.Logf("  cdk: %s", strings.TrimSpace(l))
		}
	}
	out, err := localaws.ReadOutputs(outputs)
	if err != nil {
		t.Fatalf("outputs file: %v", err)
	}
	if len(out[stackName]) == 0 {
		t.Logf("moto shortfall: `cdk deploy --outputs-file` wrote %v: moto's ExecuteChangeSet leaves a new stack's Outputs empty; they are resolved from the template below", out)
	}
}

func (r *run) adapt(ctx context.Context, t *testing.T) {
	stack, err := r.moto.DescribeStack(ctx, stackName)
	if err != nil {
		t.Fatal(err)
	}
	if stack.Status != "CREATE_COMPLETE" {
		t.Fatalf("stack %s is %s, want CREATE_COMPLETE", stackName, stack.Status)
	}
	dep, err := r.moto.Adapt(ctx, stack)
	var table bytes.Buffer
	if dep != nil {
		dep.PrintFindings(&table)
	}
	t.Logf("what moto did with each resource of the template, and what this test does about it:\n%s", table.String())
	if err != nil {
		t.Fatal(err)
	}
	r.dep = dep
	for name, dst := range map[string]*string{"QueueUrl": &r.queueURL, "DeadLetterQueueUrl": &r.dlqURL} {
		v, fromTemplate, err := stack.Output(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		*dst = v
		how := "DescribeStacks"
		if fromTemplate {
			how = "resolved from the template"
		}
		t.Logf("output %s = %s (%s)", name, v, how)
	}
	bucket, _, err := stack.Output(ctx, "LogBucketName")
	if err != nil || bucket != dep.Bucket {
		t.Fatalf("output LogBucketName = %q (%v), want the deployed bucket %q", bucket, err, dep.Bucket)
	}
	if fn, _, err := stack.Output(ctx, "FunctionName"); err != nil || fn != dep.Function.Name {
		t.Fatalf("output FunctionName = %q (%v), want %q", fn, err, dep.Function.Name)
	}
	if !strings.HasSuffix(r.queueURL, "/"+lastSegment(dep.QueueURL)) || !strings.HasSuffix(r.dlqURL, "/"+lastSegment(dep.DeadLetterURL)) {
		t.Fatalf("outputs name queues %s and %s, want %s and %s", r.queueURL, r.dlqURL, dep.QueueURL, dep.DeadLetterURL)
	}
	if dep.MaxReceiveCount < 1 || dep.EventSource.BatchSize < 1 || !dep.EventSource.ReportBatchItemFailures {
		t.Fatalf("deployment lacks maxReceiveCount (%d), an event source batch size (%d) or ReportBatchItemFailures", dep.MaxReceiveCount, dep.EventSource.BatchSize)
	}
	if got := dep.Function.Env["OTEL_EXPORTER_OTLP_ENDPOINT"]; got != r.recv.URL {
		t.Fatalf("the deployed function ships to %q, want the receiver %s", got, r.recv.URL)
	}
	r.fig("moto findings", "%d real, %d applied from the template, %d replaced, %d inert, %d template-only",
		dep.Count(localaws.Real), dep.Count(localaws.Applied), dep.Count(localaws.Replaced), dep.Count(localaws.Inert), dep.Count(localaws.TemplateOnly))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }

// deployedCode checks the zip the CDK CLI uploaded for the function holds
// the bootstrap the construct builds (linux/arm64, the construct's flags),
// and that the bootstrap this test runs is the same program built for this
// machine.
func (r *run) deployedCode(ctx context.Context, t *testing.T) {
	<-r.built
	if r.buildErr != nil {
		t.Fatal(r.buildErr)
	}
	f := r.dep.Function
	obj, err := r.moto.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(f.CodeBucket), Key: aws.String(f.CodeKey)})
	if err != nil {
		t.Fatalf("the function's code s3://%s/%s: %v", f.CodeBucket, f.CodeKey, err)
	}
	zipped, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatalf("the function's code is not a zip: %v", err)
	}
	var deployed []byte
	for _, zf := range zr.File {
		if zf.Name == "bootstrap" {
			rc, _ := zf.Open()
			deployed, _ = io.ReadAll(rc)
			rc.Close()
			if zf.Mode()&0o111 == 0 {
				t.Errorf("bootstrap in the zip is not executable (mode %v)", zf.Mode())
			}
		}
	}
	if deployed == nil {
		t.Fatalf("the function's zip has no bootstrap")
	}
	ef, err := elf.NewFile(bytes.NewReader(deployed))
	if err != nil {
		t.Fatalf("deployed bootstrap: %v", err)
	}
	wantMachine := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "x86_64": elf.EM_X86_64}[f.Architecture]
	if ef.Machine != wantMachine {
		t.Fatalf("deployed bootstrap is %v, the template says %s", ef.Machine, f.Architecture)
	}
	dInfo, err := buildinfo.Read(bytes.NewReader(deployed))
	if err != nil {
		t.Fatalf("deployed bootstrap build info: %v", err)
	}
	lInfo, err := buildinfo.ReadFile(r.bootstrap)
	if err != nil {
		t.Fatalf("local bootstrap build info: %v", err)
	}
	dSet, lSet := settings(dInfo), settings(lInfo)
	for _, k := range []string{"-tags", "-trimpath", "-ldflags", "CGO_ENABLED", "GOOS"} {
		if dSet[k] != lSet[k] {
			t.Errorf("build setting %s: deployed %q, local %q", k, dSet[k], lSet[k])
		}
	}
	if dInfo.Path != lInfo.Path || dInfo.GoVersion != lInfo.GoVersion || deps(dInfo) != deps(lInfo) {
		t.Errorf("deployed bootstrap (%s, %s) and local (%s, %s) differ in package, Go version or dependencies", dInfo.Path, dInfo.GoVersion, lInfo.Path, lInfo.GoVersion)
	}
	t.Logf("deployed code: s3://%s/%s, %d KiB zip; bootstrap is ELF %v, %s, %s, -tags=%s -trimpath=%s CGO_ENABLED=%s", f.CodeBucket, f.CodeKey, len(zipped)>>10,
		ef.Machine, dInfo.Path, dInfo.GoVersion, dSet["-tags"], dSet["-trimpath"], dSet["CGO_ENABLED"])
	t.Logf("local bootstrap: the same package, Go version, dependencies and flags, GOARCH %s (deployed %s): moto cannot run the deployed one", lSet["GOARCH"], dSet["GOARCH"])
}

func settings(bi *buildinfo.BuildInfo) map[string]string {
	m := map[string]string{}
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}

func deps(bi *buildinfo.BuildInfo) string {
	var out []string
	for _, d := range bi.Deps {
		out = append(out, d.Path+"@"+d.Version)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// upload puts files into the deployed bucket, and waits until the deployed
// rule has delivered one message per object to the queue.
func (r *run) upload(ctx context.Context, t *testing.T, files []logFile, extra map[string][]byte) {
	client := r.moto.S3()
	for _, f := range files {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.dep.Bucket), Key: aws.String(f.Key), Body: bytes.NewReader(f.Body)}); err != nil {
			t.Fatalf("put %s: %v", f.Key, err)
		}
	}
	for key, body := range extra {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.dep.Bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	want := len(files) + len(extra)
	deadline := time.Now().Add(30 * time.Second)
	for {
		visible, inflight := r.depth(ctx, t, r.queueURL)
		if visible == want && inflight == 0 {
			t.Logf("uploaded %s to s3://%s; the deployed EventBridge rule delivered %s to the queue", plural(want, "object"), r.dep.Bucket, plural(visible, "message"))
			return
		}
		if visible+inflight > want {
			t.Fatalf("the queue holds %d messages for %d objects: the rule delivered objects its pattern excludes", visible+inflight, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s the queue holds %d visible and %d in-flight messages, want %d: the rule did not deliver", visible, inflight, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (r *run) depth(ctx context.Context, t *testing.T, url string) (visible, inflight int) {
	out, err := r.moto.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		t.Fatalf("queue attributes of %s: %v", url, err)
	}
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessages"], &visible)
	fmt.Sscan(out.Attributes["ApproximateNumberOfMessagesNotVisible"], &inflight)
	return visible, inflight
}

// functionEnv is the deployed function's environment, pointed at moto: what
// `elb-otel consume` runs with outside Lambda.
func (r *run) functionEnv() []string {
	set := map[string]string{}
	for k, v := range r.dep.Function.Env {
		set[k] = v
	}
	return localaws.MergeEnv(os.Environ(), mergeMaps(set, r.moto.EnvVarsAs(r.iam.creds)))
}

func mergeMaps(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// consume runs `elb-otel consume --drain` on the deployed queue and returns
// its stderr.
func (r *run) consume(ctx context.Context, t *testing.T, extra ...string) string {
	out, err := r.consumeRun(ctx, t, 2*time.Minute, extra...)
	if err != nil {
		t.Fatalf("elb-otel consume: %v\n%s", err, out)
	}
	return out
}

// consumeRun runs `elb-otel consume --drain` as the function role for at
// most timeout, and returns its output.
func (r *run) consumeRun(ctx context.Context, t *testing.T, timeout time.Duration, extra ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"consume", "--queue-url", r.queueURL, "--drain", "--wait", "1s"}, extra...)
	cmd := exec.CommandContext(ctx, r.cli, args...)
	cmd.Env = r.functionEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	t0 := time.Now()
	err := cmd.Run()
	t.Logf("$ elb-otel %s  (%.1fs)", strings.Join(args, " "), time.Since(t0).Seconds())
	return stderr.String(), err
}

func (r *run) shipWithConsume(ctx context.Context, t *testing.T) {
	files := makeFiles(100, time.Now(), []spec{
		{loggen.ALB, 3000}, {loggen.ALB, 700}, {loggen.ALBConnection, 400}, {loggen.NLB, 600}, {loggen.CLB, 500},
	})
	// Outside the rule's prefix: S3 emits the event, the rule must drop it.
	outside := "elsewhere/" + lastSegment(files[0].Key)
	if _, err := r.moto.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(r.dep.Bucket), Key: aws.String(outside), Body: bytes.NewReader(files[0].Body)}); err != nil {
		t.Fatal(err)
	}
	if v, f := r.depth(ctx, t, r.queueURL); v+f != 0 {
		t.Fatalf("s3://%s/%s, outside the rule's prefix, reached the queue", r.dep.Bucket, outside)
	}
	t.Logf("s3://%s/%s (outside the rule's AWSLogs/ prefix): not delivered", r.dep.Bucket, outside)
	r.upload(ctx, t, files, nil)
	before := len(r.recv.Records())
	out := r.consume(ctx, t)
	shipped := strings.Count(out, "object shipped")
	failed := strings.Count(out, "message failed")
	if failed > 0 || shipped != len(files) {
		t.Fatalf("consume shipped %d objects and failed %d messages, want %d and 0:\n%s", shipped, failed, len(files), out)
	}
	if v, f := r.depth(ctx, t, r.queueURL); v+f != 0 {
		t.Fatalf("the queue still holds %d visible and %d in-flight messages after consume --drain", v, f)
	}
	lines := 0
	for _, f := range files {
		lines += len(f.Lines)
	}
	got := len(r.recv.WaitFor(before+lines, 10*time.Second)) - before
	t.Logf("elb-otel consume: %d objects shipped, %d messages deleted, receiver got %d records for %d lines", shipped, len(files), got, lines)
	r.checkDeleted(ctx, t, files)
	r.files = append(r.files, files...)
	r.consumed = files
	r.consumeMsgs = len(files)
}

func (r *run) startFunction(ctx context.Context, t *testing.T, stdout, stderr io.Writer) *lambdart.Runtime {
	return r.startFunctionTimeout(ctx, t, r.dep.Function.Timeout, stdout, stderr)
}

// startFunctionTimeout starts the bootstrap with an invocation timeout other
// than the deployed one.
func (r *run) startFunctionTimeout(ctx context.Context, t *testing.T, timeout time.Duration, stdout, stderr io.Writer) *lambdart.Runtime {
	return r.startFunctionWith(ctx, t, timeout, nil, stdout, stderr)
}

// startFunctionWith starts the bootstrap as startFunctionTimeout does, with
// the deployed environment changed by override.
func (r *run) startFunctionWith(ctx context.Context, t *testing.T, timeout time.Duration, override map[string]string, stdout, stderr io.Writer) *lambdart.Runtime {
	f := r.dep.Function
	env := maps.Clone(f.Env)
	maps.Copy(env, override)
	rt, err := lambdart.Start(ctx, lambdart.Options{
		Bootstrap: r.bootstrap,
		Function: lambdart.Function{
			Name: f.Name, ARN: f.ARN, Region: localaws.Region, MemoryMiB: f.MemoryMiB, Timeout: timeout,
			Env: env, LogFormat: f.LogFormat, LogGroup: f.LogGroup,
		},
		// The execution role's session, and moto as every service's endpoint.
		Env:    r.moto.EnvVarsAs(r.iam.creds),
		Stdout: stdout, Stderr: stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func (r *run) esm(retryDelay *time.Duration) *lambdart.EventSourceMapping {
	return &lambdart.EventSourceMapping{
		// Lambda polls the queue with the function's execution role.
		SQS: sqs.NewFromConfig(r.moto.ConfigAs(r.iam.creds)), QueueURL: r.queueURL, QueueARN: r.dep.QueueARN, Region: localaws.Region,
		BatchSize: r.dep.EventSource.BatchSize, ReportBatchItemFailures: r.dep.EventSource.ReportBatchItemFailures,
		RetryDelay: retryDelay,
	}
}

func (r *run) shipWithLambda(ctx context.Context, t *testing.T) {
	files := makeFiles(200, time.Now(), []spec{
		{loggen.ALB, 2500}, {loggen.ALB, 900}, {loggen.ALBConnection, 300}, {loggen.NLB, 500}, {loggen.CLB, 700},
	})
	r.enableVersioning(ctx, t)
	testFile := []byte("Enable AccessLog for ELB: shop-frontend at " + time.Now().UTC().Format(time.RFC3339) + "\n")
	r.upload(ctx, t, files, map[string][]byte{testFileKey(): testFile})
	before := len(r.recv.Records())

	var stdout, stderr childproc.SyncBuffer
	rt := r.startFunction(ctx, t, &stdout, &stderr)
	t.Logf("bootstrap (%s/%s) started under lambdart at %s, pid %d, with the deployed function's %d environment variables",
		runtime.GOOS, runtime.GOARCH, rt.Addr(), rt.Pid(), len(r.dep.Function.Env))
	var batches []lambdart.Batch
	totals, err := r.esm(nil).Drain(ctx, rt, func(b lambdart.Batch) { batches = append(batches, b) })
	closeErr := rt.Close()
	if err != nil {
		t.Fatalf("event source mapping: %v\nfunction stderr:\n%s", err, stderr.String())
	}
	for i, b := range batches {
		resp, _ := json.Marshal(b.Response)
		t.Logf("invocation %d: %s, %.0f ms, response %s, deleted %d", i+1, plural(len(b.Messages), "message"), float64(b.Result.Duration.Microseconds())/1000, resp, b.Deleted)
		if b.Result.Error != nil {
			t.Errorf("invocation %d failed: %v", i+1, b.Result.Error)
		}
		if len(b.Messages) > r.dep.EventSource.BatchSize {
			t.Errorf("invocation %d had %d messages, over the BatchSize %d", i+1, len(b.Messages), r.dep.EventSource.BatchSize)
		}
	}
	if n, of := versioned(batches); n != of {
		t.Errorf("%d of %d notifications from the versioned bucket name a version", n, of)
	}
	if totals.Failed > 0 || totals.Deleted != len(files)+1 {
		t.Fatalf("the function reported %d failures and %d messages were deleted, want 0 and %d:\n%s", totals.Failed, totals.Deleted, len(files)+1, stderr.String())
	}
	if v, f := r.depth(ctx, t, r.queueURL); v+f != 0 {
		t.Fatalf("the queue still holds %d visible and %d in-flight messages", v, f)
	}
	// The function's own output: JSON logs on stderr, EMF metrics on stdout.
	logs := stderr.String()
	if !strings.Contains(logs, `"msg":"skipped: not an ELB log object"`) || !strings.Contains(logs, testFileKey()) {
		t.Errorf("the function did not log skipping %s:\n%s", testFileKey(), logs)
	}
	if closeErr != nil || !strings.Contains(logs, "shutting down") {
		t.Errorf("the function did not run its SIGTERM handler at shutdown (%v); its stderr:\n%s", closeErr, logs)
	}
	if ext := rt.Stats().Extensions; len(ext) != 1 {
		t.Errorf("extensions registered: %v, want aws-lambda-go's SIGTERM extension", ext)
	}
	r.emf = readEMF(stdout.String())
	lines := 0
	for _, f := range files {
		lines += len(f.Lines)
	}
	if r.emf.Objects != len(files) || r.emf.Lines != int64(lines) || r.emf.Records != int64(lines) || r.emf.Failed != 0 {
		t.Errorf("the function's EMF metrics say %+v, want %d objects, %d lines and records, no failures", r.emf, len(files), lines)
	}
	got := len(r.recv.WaitFor(before+lines, 10*time.Second)) - before
	t.Logf("bootstrap under lambdart: %d invocations (BatchSize %d), %d messages deleted, none failed; EMF: %d objects, %d lines, %d records; receiver got %d records for %d lines; SIGTERM handled at shutdown",
		totals.Batches, r.dep.EventSource.BatchSize, totals.Deleted, r.emf.Objects, r.emf.Lines, r.emf.Records, got, lines)
	r.checkDeleted(ctx, t, files)
	r.files = append(r.files, files...)
	r.lambdaed = files
	r.lambdaMsgs, r.lambdaBatches = totals.Messages, totals.Batches
}

type emfTotals struct {
	Objects, Failed int
	Lines, Records  int64
}

// readEMF sums the Embedded Metric Format lines the function wrote.
func readEMF(stdout string) emfTotals {
	var t emfTotals
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			AWS           *json.RawMessage `json:"_aws"`
			Objects       int
			FailedObjects int
			Lines         int64
			Records       int64
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.AWS != nil {
			t.Objects += l.Objects
			t.Failed += l.FailedObjects
			t.Lines += l.Lines
			t.Records += l.Records
		}
	}
	return t
}

func (r *run) checkRecords(t *testing.T) {
	recs := r.recv.Records()
	ignore := map[string]bool{}
	tl := checkRecords(recs, r.files, r.dep.Bucket, ignore)
	if n := tl.ByKey[testFileKey()]; n > 0 {
		t.Errorf("%d records came from %s, which must be skipped", n, testFileKey())
	}
	if got := r.recv.HeaderValues(secretHeader); len(got) != 1 || got[0] != secretValue {
		t.Errorf("the receiver saw %s values %q, want the headers secret's on every request", secretHeader, got)
	}
	if errs := r.recv.Errors(); len(errs) > 0 {
		t.Errorf("the receiver could not decode %d requests, first: %v", len(errs), errs[0])
	}
	kinds := make([]string, 0, len(tl.PerKind))
	for k, n := range tl.PerKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	t.Logf("receiver: %d records in %d requests for %d lines of %d objects (%s); duplicates %d, missing %d, unknown %d, duplicate uids %d, parse errors %d",
		tl.Records, r.recv.Requests(), tl.Lines, len(r.files), strings.Join(kinds, ", "), tl.Duplicates, tl.Missing, tl.Unknown, tl.DupUIDs, tl.ParseErrors)
	if tl.ProblemCount() > 0 {
		t.Fatalf("%d problems, the first:\n  %s", tl.ProblemCount(), strings.Join(tl.Problems, "\n  "))
	}
	if tl.Records != tl.Lines {
		t.Fatalf("%d records for %d lines", tl.Records, tl.Lines)
	}
	r.checkTheChecker(t, recs, ignore)
	r.fig("objects", "%d log objects (%d via elb-otel consume, %d via the Lambda bootstrap) + 1 ELBAccessLogTestFile (skipped) + 1 corrupt", len(r.files), len(r.consumed), len(r.lambdaed))
	r.fig("lines", "%d", tl.Lines)
	r.fig("records", "%d received in %d OTLP requests, each line exactly once (body and log.record.uid), resource and typed attributes checked", tl.Records, r.recv.Requests())
	r.fig("duplicates", "%d (missing %d, unknown %d, duplicate uids %d, parse errors %d)", tl.Duplicates, tl.Missing, tl.Unknown, tl.DupUIDs, tl.ParseErrors)
	r.fig("queue messages", "%d by consume, %d by the bootstrap in %d invocations", r.consumeMsgs, r.lambdaMsgs, r.lambdaBatches)
}

// poisonToDLQ uploads a corrupt gzip object: the function must report it as
// a batch item failure every time, and after maxReceiveCount receives SQS
// (moto) must move it to the dead-letter queue, where it stays.
func (r *run) poisonToDLQ(ctx context.Context, t *testing.T) {
	r.poison = corruptGzip(300, time.Now())
	r.upload(ctx, t, nil, map[string][]byte{r.poison.Key: r.poison.Body})
	before := len(r.recv.Records())

	// First receive: the Lambda bootstrap, which must report the message as
	// a batch item failure (not fail the invocation).
	var stderr childproc.SyncBuffer
	rt := r.startFunction(ctx, t, io.Discard, &stderr)
	zero := time.Duration(0)
	b, err := r.esm(&zero).Poll(ctx, rt)
	rt.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 1 || b.Result.Error != nil || len(b.Response.BatchItemFailures) != 1 ||
		b.Response.BatchItemFailures[0].ItemIdentifier != aws.ToString(b.Messages[0].MessageId) {
		resp, _ := json.Marshal(b.Response)
		t.Fatalf("the bootstrap got %d messages, error %v, response %s: want the corrupt object's message reported as its one batch item failure\n%s",
			len(b.Messages), b.Result.Error, resp, stderr.String())
	}
	attempts := 1
	t.Logf("receive 1 (bootstrap under lambdart): batchItemFailures %s; Lambda would leave it invisible for the queue's %s visibility timeout: the test makes it visible now (ChangeMessageVisibility 0)",
		b.Response.BatchItemFailures[0].ItemIdentifier, r.dep.QueueVisibility)
	if !strings.Contains(stderr.String(), "corrupt log object") {
		t.Errorf("the function's log does not say the object is corrupt:\n%s", stderr.String())
	}

	// The remaining receives: elb-otel consume, which makes failed messages
	// visible again after --retry-delay, until SQS moves the message.
	out := r.consume(ctx, t, "--retry-delay", "0s")
	consumeAttempts := strings.Count(out, "message failed")
	attempts += consumeAttempts
	if attempts != r.dep.MaxReceiveCount {
		t.Errorf("the corrupt object was tried %d times (1 by the bootstrap, %d by consume), want the queue's maxReceiveCount %d", attempts, consumeAttempts, r.dep.MaxReceiveCount)
	}
	if v, f := r.depth(ctx, t, r.queueURL); v+f != 0 {
		t.Fatalf("the work queue still holds %d visible and %d in-flight messages: the corrupt object loops", v, f)
	}
	// It waits in the dead-letter queue: count it, read it, and put it back
	// (visible again) for the alarm's condition and a redrive.
	visible, _ := r.depth(ctx, t, r.dlqURL)
	if visible != 1 {
		t.Fatalf("dead-letter queue depth %d, want 1", visible)
	}
	dlq, err := r.moto.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(r.dlqURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dlq.Messages) != 1 || !strings.Contains(aws.ToString(dlq.Messages[0].Body), r.poison.Key) {
		t.Fatalf("the dead-letter queue holds %d messages, want the one naming %s", len(dlq.Messages), r.poison.Key)
	}
	if _, err := r.moto.SQS().ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(r.dlqURL), ReceiptHandle: dlq.Messages[0].ReceiptHandle, VisibilityTimeout: 0,
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(r.recv.Records()) - before; n != 0 {
		t.Errorf("the corrupt object produced %d records, want none", n)
	}
	alarm := "no alarm on the dead-letter queue found"
	if id := r.dep.DeadLetterAlarm; id != "" {
		alarm = fmt.Sprintf("%s (%s) condition holds: ApproximateNumberOfMessagesVisible %d >= 1 (moto evaluates no alarm: checked on the queue)", id, r.dep.AlarmNames[id], visible)
	} else {
		t.Errorf("%s", alarm)
	}
	t.Logf("corrupt object %s: tried %d times (= maxReceiveCount %d), then moved to the dead-letter queue (ApproximateReceiveCount %s); work queue empty; %s",
		r.poison.Key, attempts, r.dep.MaxReceiveCount, dlq.Messages[0].Attributes["ApproximateReceiveCount"], alarm)
	r.dlqAttempts = attempts
	r.fig("dead-letter", "1 corrupt object, %d attempts (maxReceiveCount %d), 0 records, parked in the DLQ, work queue empty", attempts, r.dep.MaxReceiveCount)
}

func (r *run) destroy(ctx context.Context, t *testing.T) {
	t0 := time.Now()
	if err := r.cdk.Destroy(ctx, stackName, r.cdkContext); err != nil {
		t.Fatalf("cdk destroy: %v", err)
	}
	gone, how, err := r.moto.StackGone(ctx, stackName)
	if err != nil || !gone {
		t.Fatalf("after cdk destroy CloudFormation still has %s: %s %v", stackName, how, err)
	}
	var left []string
	if _, err := r.moto.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(r.queueURL)}); err == nil {
		left = append(left, "queue")
	}
	if _, err := r.moto.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(r.dlqURL)}); err == nil {
		left = append(left, "dead-letter queue")
	}
	// moto cannot verify a Lambda call's signature: asked with IAM paused.
	var fnErr error
	if err := r.moto.WithoutIAM(ctx, func() error {
		_, fnErr = r.moto.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(r.dep.Function.Name)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fnErr == nil {
		left = append(left, "function")
	} else if !strings.Contains(fnErr.Error(), "ResourceNotFound") {
		t.Fatalf("after cdk destroy, GetFunction: %v, want ResourceNotFoundException", fnErr)
	}
	if len(left) > 0 {
		t.Fatalf("after cdk destroy these remain: %s", strings.Join(left, ", "))
	}
	_, err = r.moto.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(r.dep.Bucket)})
	if err != nil {
		t.Errorf("the log bucket is gone, but its DeletionPolicy is Retain: %v", err)
	}
	t.Logf("cdk destroy: %.1fs; CloudFormation: %s; queues and function gone; log bucket %s kept (DeletionPolicy Retain)", time.Since(t0).Seconds(), how, r.dep.Bucket)
	r.fig("destroy", "stack gone (%s), bucket kept (Retain)", how)
}

func (r *run) report(t *testing.T, total time.Duration) {
	r.stop()
	var b strings.Builder
	b.WriteString("closing figures:\n")
	for _, f := range r.figures {
		fmt.Fprintf(&b, "  %-15s %s\n", f.name, f.value)
	}
	b.WriteString("  time per phase:")
	for _, p := range r.phaseTime {
		fmt.Fprintf(&b, " %s %.1fs,", p.name, p.took.Seconds())
	}
	fmt.Fprintf(&b, " total %.1fs\n", total.Seconds())
	t.Log(b.String())
}
