package localaws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/elb-otel/elb-otel/internal/childproc"
)

// The account and Region everything is deployed to. 123456789012 is moto's
// default account: the account of any credentials it is given.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// Dummy credentials moto accepts.
const (
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// InstallHint says how to get moto_server.
const InstallHint = "moto_server is not on PATH: install it with `pip install 'moto[server]'` (Python 3), then check that `moto_server --help` runs"

// Options configure Start.
type Options struct {
	// StartTimeout bounds the wait for moto_server to answer. Default: 30s.
	StartTimeout time.Duration
	// OutputTail, when positive, bounds what Output keeps of the server's
	// output to its last OutputTail bytes. Default: all of it.
	OutputTail int
	// EnforceIAM switches on moto's IAM-like access control
	// (INITIAL_NO_AUTH_ACTION_COUNT): the first calls create an administrator
	// user, whose keys Config and EnvVars then carry; every later call must be
	// signed by an IAM user's or an assumed role's keys whose policies allow
	// its action on its resource (see iam.go for what moto checks).
	EnforceIAM bool
}

// Moto is a running moto_server.
type Moto struct {
	// URL is the server's base URL, http://localhost:PORT. It says localhost,
	// not 127.0.0.1: the CDK CLI only accepts a template URL on localhost.
	URL string
	// Port is the port it listens on, on 127.0.0.1.
	Port int

	proc  *childproc.Process
	out   *childproc.SyncBuffer
	once  sync.Once
	creds aws.Credentials // the administrator's with EnforceIAM, else the dummy ones
	iam   bool
}

// Start starts moto_server on a free loopback port and waits until it
// answers. Stop it with Stop; should this process die first, the kernel
// kills it (Linux).
func Start(ctx context.Context, opts Options) (*Moto, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New(InstallHint)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 30 * time.Second
	}
	var errs []error
	// A free port can be taken between finding it and moto binding it.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := childproc.FreePort()
		if err != nil {
			return nil, fmt.Errorf("localaws: find a free port: %w", err)
		}
		m, err := start(ctx, path, port, opts)
		if err == nil {
			return m, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func start(ctx context.Context, path string, port int, opts Options) (*Moto, error) {
	m := &Moto{URL: "http://localhost:" + strconv.Itoa(port), Port: port, out: &childproc.SyncBuffer{Tail: opts.OutputTail},
		creds: aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "localaws"}}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = m.out, m.out
	if opts.EnforceIAM {
		// moto lets exactly adminSetupCalls calls through unchecked: those
		// that create the administrator (createAdmin).
		cmd.Env = append(os.Environ(), "INITIAL_NO_AUTH_ACTION_COUNT="+strconv.Itoa(adminSetupCalls))
	}
	p, err := childproc.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("localaws: start %s: %w", path, err)
	}
	m.proc = p
	if err := m.waitReady(ctx, opts.StartTimeout); err != nil {
		m.Stop()
		return nil, fmt.Errorf("localaws: %s on port %d: %w; its output:\n%s", path, port, err, m.out.String())
	}
	if opts.EnforceIAM {
		m.iam = true
		if err := m.createAdmin(ctx); err != nil {
			m.Stop()
			return nil, fmt.Errorf("localaws: IAM enforcement: %w", err)
		}
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-m.proc.Done():
			return fmt.Errorf("exited before answering (%v)", m.proc.Err())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %s: %w", timeout, err)
		}
	}
}

// Stop kills the server and waits for it to exit. It may be called more than
// once.
func (m *Moto) Stop() {
	m.once.Do(func() {
		if m.proc != nil {
			m.proc.Kill()
		}
	})
}

// Pid is the server's process ID.
func (m *Moto) Pid() int { return m.proc.Pid() }

// Output returns what the server printed so far: its request log and its
// warnings (such as "No Moto CloudFormation support for ...").
func (m *Moto) Output() string { return m.out.String() }

// EnvVars are the variables that point a child process (the CDK CLI, the
// elb-otel CLI, the Lambda bootstrap) at moto: every AWS SDK's endpoint, the
// credentials (the administrator's with EnforceIAM, else dummy ones), the
// Region, and the CDK's default environment.
func (m *Moto) EnvVars() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":          m.URL,
		"AWS_ACCESS_KEY_ID":         m.creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":     m.creds.SecretAccessKey,
		"AWS_REGION":                Region,
		"AWS_DEFAULT_REGION":        Region,
		"AWS_EC2_METADATA_DISABLED": "true",
		"CDK_DEFAULT_ACCOUNT":       Account,
		"CDK_DEFAULT_REGION":        Region,
	}
}

// hiddenEnv are variables of this process a child must not inherit: they
// would point it at a real account or a real config.
var hiddenEnv = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}

// Env returns this process's environment with EnvVars set (and any
// AWS_ENDPOINT_URL_<SERVICE>, profile, session token or credentials file
// removed), for a child process.
func (m *Moto) Env() []string {
	return MergeEnv(os.Environ(), m.EnvVars())
}

// MergeEnv returns base with every variable of set set (replacing any
// earlier value), minus the variables that would point an AWS SDK anywhere
// else than set says.
func MergeEnv(base []string, set map[string]string) []string {
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := set[name]; ok || strings.HasPrefix(name, "AWS_ENDPOINT_URL_") || contains(hiddenEnv, name) {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	// Files nobody has: no shared config or credentials is read.
	out = append(out, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Config returns an AWS config for moto: static credentials (the
// administrator's with EnforceIAM, else dummy ones), the Region and moto's URL
// as every service's endpoint. It reads no environment variable and no shared
// file.
func (m *Moto) Config() aws.Config { return m.configFor(m.creds) }

func (m *Moto) configFor(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region: Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		BaseEndpoint:     aws.String(m.URL),
		RetryMaxAttempts: 3,
	}
}

// S3 returns an S3 client for moto, with path-style addressing.
func (m *Moto) S3() *s3.Client {
	return s3.NewFromConfig(m.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// SQS returns an SQS client for moto.
func (m *Moto) SQS() *sqs.Client { return sqs.NewFromConfig(m.Config()) }

// CloudFormation returns a CloudFormation client for moto.
func (m *Moto) CloudFormation() *cloudformation.Client {
	return cloudformation.NewFromConfig(m.Config())
}

// Lambda returns a Lambda client for moto.
func (m *Moto) Lambda() *lambda.Client { return lambda.NewFromConfig(m.Config()) }

// EventBridge returns an EventBridge client for moto.
func (m *Moto) EventBridge() *eventbridge.Client { return eventbridge.NewFromConfig(m.Config()) }

// CloudWatch returns a CloudWatch client for moto.
func (m *Moto) CloudWatch() *cloudwatch.Client { return cloudwatch.NewFromConfig(m.Config()) }

// IAM returns an IAM client for moto.
func (m *Moto) IAM() *iam.Client { return iam.NewFromConfig(m.Config()) }

// STS returns an STS client for moto.
func (m *Moto) STS() *sts.Client { return sts.NewFromConfig(m.Config()) }

// SecretsManager returns a Secrets Manager client for moto.
func (m *Moto) SecretsManager() *secretsmanager.Client {
	return secretsmanager.NewFromConfig(m.Config())
}

// IAMEnforced reports whether the server checks IAM (Options.EnforceIAM).
func (m *Moto) IAMEnforced() bool { return m.iam }
