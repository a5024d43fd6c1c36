package lambdart_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/elb-otel/elb-otel/internal/lambdart"
)

var (
	buildOnce sync.Once
	buildDir  string
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// testFunction builds testdata/fn once per test binary.
func testFunction(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lambdart-test-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		binary, buildErr = lambdart.Build(context.Background(), root, "./internal/lambdart/testdata/fn", dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func start(t *testing.T, timeout time.Duration, env map[string]string) *lambdart.Runtime {
	t.Helper()
	rt, err := lambdart.Start(context.Background(), lambdart.Options{
		Bootstrap: testFunction(t),
		Function: lambdart.Function{
			Name: "fn", ARN: "arn:aws:lambda:us-east-1:123456789012:function:fn", MemoryMiB: 256, Timeout: timeout,
			Env: map[string]string{"FOO": "bar"}, LogFormat: "JSON",
		},
		Env: env,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

func TestRuntime_InvokePassesEventContextAndEnvironment(t *testing.T) {
	t.Parallel()
	rt := start(t, 30*time.Second, nil)
	var got struct {
		Echo       string            `json:"echo"`
		RequestID  string            `json:"requestId"`
		ARN        string            `json:"arn"`
		DeadlineMS int64             `json:"deadlineMs"`
		Env        map[string]string `json:"env"`
	}
	before := time.Now()
	res, err := rt.InvokeJSON(context.Background(), map[string]string{"echo": "hello"}, &got)
	if err != nil || res.Error != nil {
		t.Fatalf("invoke: %v %v", err, res.Error)
	}
	if got.Echo != "hello" || got.RequestID != res.RequestID || got.ARN != "arn:aws:lambda:us-east-1:123456789012:function:fn" {
		t.Errorf("reply %+v, request ID %s", got, res.RequestID)
	}
	if d := time.UnixMilli(got.DeadlineMS).Sub(before); d < 29*time.Second || d > 31*time.Second {
		t.Errorf("deadline %s after the invocation, want the 30s timeout", d)
	}
	want := map[string]string{"FOO": "bar", "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION": "us-east-1", "AWS_LAMBDA_LOG_FORMAT": "JSON", "_HANDLER": "bootstrap"}
	for k, v := range want {
		if got.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, got.Env[k], v)
		}
	}
	if _, leaked := got.Env["HOME"]; leaked {
		t.Errorf("the test process's HOME leaked into the function's environment")
	}
}

func TestRuntime_FunctionErrorIsAResultNotAFailure(t *testing.T) {
	t.Parallel()
	rt := start(t, 30*time.Second, nil)
	res, err := rt.InvokeJSON(context.Background(), map[string]string{"fail": "boom"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || res.Error.Message != "boom" {
		t.Fatalf("error %+v, want the function's boom", res.Error)
	}
	// The environment stays usable, as in Lambda.
	if res, err := rt.InvokeJSON(context.Background(), map[string]string{"echo": "again"}, nil); err != nil || res.Error != nil {
		t.Fatalf("invoke after an error: %v %v", err, res.Error)
	}
}

func TestRuntime_TimeoutKillsTheFunction(t *testing.T) {
	t.Parallel()
	rt := start(t, time.Second, nil)
	res, err := rt.InvokeJSON(context.Background(), map[string]int{"sleep_ms": 5000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || res.Error.Type != "Sandbox.Timedout" {
		t.Fatalf("error %+v, want Sandbox.Timedout", res.Error)
	}
	if _, err := rt.InvokeJSON(context.Background(), map[string]string{"echo": "x"}, nil); err == nil {
		t.Fatalf("invoke after a timeout succeeded; the function should be gone")
	}
}

func TestRuntime_CrashIsAnExitError(t *testing.T) {
	t.Parallel()
	rt := start(t, 30*time.Second, nil)
	res, err := rt.InvokeJSON(context.Background(), map[string]bool{"exit": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || res.Error.Type != "Runtime.ExitError" {
		t.Fatalf("error %+v, want Runtime.ExitError", res.Error)
	}
}

func TestStart_FailsWhenTheFunctionDiesDuringInit(t *testing.T) {
	t.Parallel()
	_, err := lambdart.Start(context.Background(), lambdart.Options{
		Bootstrap: testFunction(t), Function: lambdart.Function{Name: "fn"}, Env: map[string]string{"CRASH_AT_INIT": "1"},
	})
	if err == nil || !strings.Contains(err.Error(), "exited during init") {
		t.Fatalf("err %v, want an init failure", err)
	}
}

// fakeQueue is an in-memory queue with the calls an EventSourceMapping makes.
type fakeQueue struct {
	mu       sync.Mutex
	bodies   map[string]string // message ID -> body, while on the queue
	order    []string
	deleted  []string
	changed  []string
	received int
}

func newFakeQueue(bodies ...string) *fakeQueue {
	q := &fakeQueue{bodies: map[string]string{}}
	for i, b := range bodies {
		id := fmt.Sprintf("m%d", i)
		q.bodies[id] = b
		q.order = append(q.order, id)
	}
	return q
}

func (q *fakeQueue) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &sqs.ReceiveMessageOutput{}
	if q.received > 0 { // one batch, then empty (the rest wait out their visibility timeout)
		return out, nil
	}
	q.received++
	for _, id := range q.order {
		if len(out.Messages) == int(in.MaxNumberOfMessages) {
			break
		}
		out.Messages = append(out.Messages, sqstypes.Message{MessageId: aws.String(id), ReceiptHandle: aws.String("rh-" + id), Body: aws.String(q.bodies[id])})
	}
	return out, nil
}

func (q *fakeQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		q.deleted = append(q.deleted, strings.TrimPrefix(aws.ToString(e.ReceiptHandle), "rh-"))
		out.Successful = append(out.Successful, sqstypes.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

func (q *fakeQueue) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.changed = append(q.changed, strings.TrimPrefix(aws.ToString(in.ReceiptHandle), "rh-"))
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

func TestEventSourceMapping_DeletesAllButTheReportedFailures(t *testing.T) {
	t.Parallel()
	rt := start(t, 30*time.Second, nil)
	q := newFakeQueue("ok", "bad", "ok", "ok")
	zero := time.Duration(0)
	esm := &lambdart.EventSourceMapping{SQS: q, QueueURL: "q", QueueARN: "arn:aws:sqs:us-east-1:123456789012:q", BatchSize: 3,
		ReportBatchItemFailures: true, RetryDelay: &zero}
	totals, err := esm.Drain(context.Background(), rt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if totals.Batches != 1 || totals.Messages != 3 || totals.Deleted != 2 || totals.Failed != 1 {
		t.Errorf("totals %+v, want one batch of 3 (BatchSize), 2 deleted, 1 failed", totals)
	}
	if strings.Join(q.deleted, ",") != "m0,m2" || strings.Join(q.changed, ",") != "m1" {
		t.Errorf("deleted %v and made visible %v, want m0,m2 and m1", q.deleted, q.changed)
	}
}

func TestEventSourceMapping_FunctionErrorKeepsTheWholeBatch(t *testing.T) {
	t.Parallel()
	rt := start(t, 30*time.Second, nil)
	q := newFakeQueue("ok", "crash")
	esm := &lambdart.EventSourceMapping{SQS: q, QueueURL: "q", ReportBatchItemFailures: true}
	b, err := esm.Poll(context.Background(), rt)
	if err != nil {
		t.Fatal(err)
	}
	if b.Result.Error == nil || len(b.Failed) != 2 || len(q.deleted) != 0 {
		t.Errorf("function error %v, failed %v, deleted %v: want the whole batch kept", b.Result.Error, b.Failed, q.deleted)
	}
}
