//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/childproc"
	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/internal/lambdart"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/loggen"
)

// The OTLP header the headers secret holds; the receiver must see it on
// every request.
const (
	secretHeader = "X-Elb-Otel-E2e"
	secretValue  = "e2e-token-7f3a"
)

// iamState is the function role's session and what the IAM phases found.
type iamState struct {
	secretARN   string
	role        string          // the function role's name
	creds       aws.Credentials // a session of it, from moto's STS
	equivalents []localaws.Statement
	continued   int // continuations the bootstrap sent
	backfilled  int // objects the backfill fanned out
	proof       []string
}

func (r *run) createHeadersSecret(ctx context.Context, t *testing.T) {
	out, err := r.moto.SecretsManager().CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("elb-otel-e2e-headers"), SecretString: aws.String(fmt.Sprintf(`{%q:%q}`, secretHeader, secretValue)),
	})
	if err != nil {
		t.Fatalf("create the headers secret: %v", err)
	}
	r.iam.secretARN = aws.ToString(out.ARN)
	t.Logf("headers secret %s (one header, %s)", r.iam.secretARN, secretHeader)
}

// assumeRole finds the deployed function's role, puts on it what moto needs
// to allow what AWS would, and takes a session of it from moto's STS: the
// worker and the bootstrap act with that session from here on.
func (r *run) assumeRole(ctx context.Context, t *testing.T) {
	tmpl := r.dep.Stack.Template
	role, _ := tmpl.Resources[r.dep.Function.Logical].Properties["Role"].(map[string]any)
	getAtt, _ := role["Fn::GetAtt"].([]any)
	if len(getAtt) != 2 {
		t.Fatalf("the function's Role is %v, want Fn::GetAtt of the stack's role", role)
	}
	r.iam.role = r.dep.Stack.Resources[fmt.Sprint(getAtt[0])]
	if r.iam.role == "" {
		t.Fatalf("moto created no role %v", getAtt[0])
	}
	policies, err := r.moto.RolePolicies(ctx, r.iam.role)
	if err != nil {
		t.Fatal(err)
	}
	var secretStmt bool
	for _, p := range policies {
		for _, s := range p.Document.Statement {
			t.Logf("role %s, policy %s: %s", r.iam.role, p.Name, s)
			if strings.Contains(strings.Join(s.Action, ","), "secretsmanager:") {
				secretStmt = len(s.Resource) == 1 && s.Resource[0] == r.iam.secretARN
			}
		}
	}
	if !secretStmt {
		t.Fatalf("the role grants Secrets Manager actions on something else than exactly %s", r.iam.secretARN)
	}
	r.iam.equivalents, err = r.moto.PutEquivalents(ctx, r.iam.role)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.iam.equivalents {
		t.Logf("moto shortfall: added as %s: %s", localaws.EquivalentsPolicy, s)
	}
	t.Logf("  (moto checks SQS batch calls under their own action names, and Secrets Manager calls against the resource \"*\" only, which a statement naming the secret never matches; " +
		"the secret statement's resource was checked above to be exactly the headers secret)")
	r.iam.creds, err = r.moto.AssumeRole(ctx, r.iam.role, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("assumed %s through moto's STS (the administrator added to its trust policy, as Lambda is in AWS): session key %s; consume, the bootstrap and the event source mapping act with it",
		r.iam.role, r.iam.creds.AccessKeyID)
	r.fig("IAM", "enforced by moto; function role %s assumed through STS; %d policy statements + %d moto equivalents", r.iam.role, countStatements(policies), len(r.iam.equivalents))
}

func countStatements(ps []localaws.RolePolicy) int {
	n := 0
	for _, p := range ps {
		n += len(p.Document.Statement)
	}
	return n
}

// enableVersioning versions the log bucket, as a user's may be: from here
// on the notifications name versions and the function reads them with
// s3:GetObjectVersion.
func (r *run) enableVersioning(ctx context.Context, t *testing.T) {
	if _, err := r.moto.S3().PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(r.dep.Bucket), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("bucket versioning switched on (PutBucketVersioning): notifications name the version, the function reads it with GetObject?versionId (s3:GetObjectVersion)")
}

// checkDeleted checks that the shipped objects are gone (deletion is on).
func (r *run) checkDeleted(ctx context.Context, t *testing.T, files []logFile) {
	t.Helper()
	var left []string
	for _, f := range files {
		if r.exists(ctx, t, f.Key) {
			left = append(left, f.Key)
		}
	}
	if len(left) > 0 {
		t.Fatalf("deletion is on, but %d shipped objects remain, first %s", len(left), left[0])
	}
	t.Logf("all %d shipped objects deleted (s3:DeleteObject as the function role)", len(files))
}

func (r *run) exists(ctx context.Context, t *testing.T, key string) bool {
	_, err := r.moto.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(r.dep.Bucket), Key: aws.String(key)})
	var nf *s3types.NotFound
	if errors.As(err, &nf) {
		return false
	}
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	return true
}

// versioned counts the messages whose body names an object version.
func versioned(batches []lambdart.Batch) (n, of int) {
	for _, b := range batches {
		for _, m := range b.Messages {
			var ev struct {
				Detail struct {
					Object struct {
						Version string `json:"version-id"`
					} `json:"object"`
				} `json:"detail"`
			}
			of++
			if json.Unmarshal([]byte(aws.ToString(m.Body)), &ev) == nil && ev.Detail.Object.Version != "" && ev.Detail.Object.Version != "null" {
				n++
			}
		}
	}
	return n, of
}

// continueAndBackfill makes the bootstrap continue an object the deadline
// cut short, and fan a backfill out over objects that predate the stack.
func (r *run) continueAndBackfill(ctx context.Context, t *testing.T) {
	big := makeFiles(300, time.Now(), []spec{{loggen.ALB, 9000}})
	r.upload(ctx, t, big, nil)
	slow := make([]otlptest.Response, 6)
	for i := range slow {
		slow[i] = otlptest.Response{Delay: time.Second}
	}
	r.recv.Script(slow...)
	// A 23 s timeout instead of the deployed one: the pipeline stops 20 s
	// before its deadline, so the deadline comes within this test. One
	// request in flight, so that the slow answers add up and the deadline
	// falls mid-object (with the default 16 they all overlap and the object
	// ships in one go); the deadline with several requests in flight is
	// pipeline's TestShip_DeadlineWithRequestsInFlight.
	const timeout = 23 * time.Second
	var stderr childproc.SyncBuffer
	rt := r.startFunctionWith(ctx, t, timeout, map[string]string{contract.EnvMaxInFlight: "1"}, nil, &stderr)
	var batches []lambdart.Batch
	totals, err := r.esm(nil).Drain(ctx, rt, func(b lambdart.Batch) { batches = append(batches, b) })
	if err != nil || totals.Failed > 0 {
		rt.Close()
		t.Fatalf("continuation: %v, %d failures:\n%s", err, totals.Failed, stderr.String())
	}
	r.iam.continued = strings.Count(stderr.String(), "deadline near: continues in a new message")
	if r.iam.continued == 0 || totals.Messages != 1+r.iam.continued {
		rt.Close()
		t.Fatalf("%d continuations over %d messages, want at least one, each its own message:\n%s", r.iam.continued, totals.Messages, stderr.String())
	}
	if n, of := versioned(batches[:1]); n != of {
		t.Errorf("%d of %d notifications name a version", n, of)
	}
	t.Logf("continuation: %s of %d lines, the receiver answering in 1 s, a %s timeout: %d continuation messages sent by the function (sqs:SendMessage), %d invocations",
		big[0].Key, len(big[0].Lines), timeout, r.iam.continued, totals.Batches)
	r.checkDeleted(ctx, t, big)
	r.files = append(r.files, big...)

	old := makeFiles(400, time.Now().Add(-72*time.Hour), []spec{{loggen.NLB, 300}, {loggen.CLB, 200}, {loggen.ALB, 500}})
	r.upload(ctx, t, old, nil)
	// These objects predate the stack: their notifications never reached it.
	r.purge(ctx, t)
	prefix := commonPrefix(old)
	body := fmt.Sprintf(`{"bucket":%q,"prefix":%q}`, r.dep.Bucket, prefix)
	if _, err := r.moto.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(r.queueURL), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	// The listing cannot be checked: moto verifies an S3 signature over the
	// query as its web framework decoded it, so a prefix with "/" fails
	// SignatureDoesNotMatch whoever signs (internal/localaws TestEnforceIAM).
	resume, err := r.moto.PauseIAM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	zero := time.Duration(0)
	b, err := r.esm(&zero).Poll(ctx, rt)
	if rerr := resume(); rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil || len(b.Messages) != 1 || len(b.Response.BatchItemFailures) != 0 || b.Result.Error != nil {
		rt.Close()
		t.Fatalf("backfill message: %v, %d messages, response %+v, error %v:\n%s", err, len(b.Messages), b.Response, b.Result.Error, stderr.String())
	}
	t.Logf("moto shortfall: the backfill invocation (ListObjectsV2 prefix %q, SendMessageBatch) ran with IAM paused: moto cannot verify the signature of a listing whose prefix holds \"/\"; "+
		"s3:ListBucket is asserted in the construct test; the fanned-out objects ship with IAM enforced", prefix)
	totals, err = r.esm(nil).Drain(ctx, rt, nil)
	closeErr := rt.Close()
	if err != nil || totals.Failed > 0 || totals.Messages != len(old) || closeErr != nil {
		t.Fatalf("backfilled objects: %v, %d failed, %d messages, want %d: %v\n%s", err, totals.Failed, totals.Messages, len(old), closeErr, stderr.String())
	}
	r.iam.backfilled = totals.Messages
	t.Logf("backfill %s: the function fanned out %d messages, shipped in %d invocations", prefix, totals.Messages, totals.Batches)
	r.checkDeleted(ctx, t, old)
	r.files = append(r.files, old...)
	r.fig("continuation", "%d messages for a %d-line object (23 s timeout, slow receiver)", r.iam.continued, len(big[0].Lines))
	r.fig("backfill", "%d objects fanned out from one {bucket, prefix} message", r.iam.backfilled)
}

func commonPrefix(files []logFile) string {
	p := files[0].Key
	for _, f := range files[1:] {
		for !strings.HasPrefix(f.Key, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// purge deletes every message on the work queue, in flight or not, as the
// administrator.
func (r *run) purge(ctx context.Context, t *testing.T) {
	if _, err := r.moto.SQS().PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(r.queueURL)}); err != nil {
		t.Fatal(err)
	}
	if v, f := r.depth(ctx, t, r.queueURL); v+f != 0 {
		t.Fatalf("after PurgeQueue the queue holds %d visible and %d in-flight messages", v, f)
	}
}

// everyStatementNeeded removes each statement of the function role in turn
// and shows that a run (one object: notification, versioned read, headers
// secret, export, delete, with consume as the role) then fails.
func (r *run) everyStatementNeeded(ctx context.Context, t *testing.T) {
	policies, err := r.moto.RolePolicies(ctx, r.iam.role)
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(500)
	if ok, why := r.probe(ctx, t, &seed); !ok {
		t.Fatalf("the probe fails with the whole role: %s", why)
	}
	for _, p := range policies {
		for i, s := range p.Document.Statement {
			actions := strings.Join(s.Action, ",")
			if skip := unprovable(s); skip != "" {
				r.iam.proof = append(r.iam.proof, fmt.Sprintf("%s: not provable here: %s", actions, skip))
				continue
			}
			cut := p
			cut.Document.Statement = append(append([]localaws.Statement(nil), p.Document.Statement[:i]...), p.Document.Statement[i+1:]...)
			if err := r.moto.PutRolePolicy(ctx, r.iam.role, cut); err != nil {
				t.Fatal(err)
			}
			if _, err := r.moto.PutEquivalents(ctx, r.iam.role); err != nil {
				t.Fatal(err)
			}
			ok, why := r.probe(ctx, t, &seed)
			if err := r.moto.PutRolePolicy(ctx, r.iam.role, p); err != nil {
				t.Fatal(err)
			}
			if _, err := r.moto.PutEquivalents(ctx, r.iam.role); err != nil {
				t.Fatal(err)
			}
			if ok {
				t.Errorf("with %s removed from the role the run still passes", s)
				continue
			}
			r.iam.proof = append(r.iam.proof, fmt.Sprintf("%s removed: the run fails: %s", actions, why))
		}
	}
	for _, p := range r.iam.proof {
		t.Logf("  %s", p)
	}
	if ok, why := r.probe(ctx, t, &seed); !ok {
		t.Fatalf("the probe fails with the role restored: %s", why)
	}
	r.fig("IAM proof", "%d statements each needed (the run fails without it), %d not provable under moto", len(r.iam.proof)-countUnprovable(r.iam.proof), countUnprovable(r.iam.proof))
}

func countUnprovable(proof []string) int {
	n := 0
	for _, p := range proof {
		if strings.Contains(p, "not provable here") {
			n++
		}
	}
	return n
}

// unprovable says why removing s cannot fail a local run, or "".
func unprovable(s localaws.Statement) string {
	actions := strings.Join(s.Action, ",")
	switch {
	case strings.HasPrefix(actions, "logs:"):
		return "the Lambda service writes the function's log stream; the function itself never calls CloudWatch Logs"
	case actions == "s3:ListBucket":
		return "used by the backfill listing, which moto cannot verify (SignatureDoesNotMatch on a prefix with \"/\"); asserted in the construct test"
	}
	return ""
}

// probe ships one new object with consume as the function role, and says
// whether everything a run needs happened: the object shipped, its records
// arrived, the object was deleted, no message failed.
func (r *run) probe(ctx context.Context, t *testing.T, seed *uint64) (bool, string) {
	*seed++
	f := makeFiles(*seed, time.Now(), []spec{{loggen.ALB, 50}})
	r.upload(ctx, t, f, nil)
	before := len(r.recv.Records())
	out, err := r.consumeRun(ctx, t, 20*time.Second)
	defer func() {
		r.purge(ctx, t)
		if r.exists(ctx, t, f[0].Key) {
			if _, err := r.moto.S3().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(r.dep.Bucket), Key: aws.String(f[0].Key)}); err != nil {
				t.Fatal(err)
			}
		}
	}()
	got := len(r.recv.WaitFor(before+len(f[0].Lines), 2*time.Second)) - before
	switch {
	case err != nil:
		return false, fmt.Sprintf("consume: %v: %s", err, firstError(out))
	case strings.Count(out, "object shipped") != 1 || strings.Contains(out, "message failed"):
		return false, firstError(out)
	case got != len(f[0].Lines):
		return false, fmt.Sprintf("%d records for %d lines", got, len(f[0].Lines))
	case r.exists(ctx, t, f[0].Key):
		return false, "the object was not deleted: " + firstError(out)
	}
	return true, ""
}

// firstError returns the first error the output logs, shortened.
func firstError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, `"level":"ERROR"`) || strings.Contains(l, "error") {
			if len(l) > 300 {
				l = l[:300] + "..."
			}
			return strings.TrimSpace(l)
		}
	}
	return "no error logged"
}
