package mototest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Region is the AWS Region the clients and Env use.
const Region = "eu-west-1"

// Dummy credentials moto accepts.
const (
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// InstallHint says how to get moto_server.
const InstallHint = "moto_server is not on PATH: install it with `pip install 'moto[server]'` (Python 3), then check `moto_server --help` runs"

// startTimeout bounds the wait for a new server to answer.
const startTimeout = 30 * time.Second

// Server is a running moto_server.
type Server struct {
	// URL is the server's base URL, http://localhost:PORT.
	URL string

	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when the process has exited
	once   sync.Once
}

// Start starts moto_server on a free loopback port and waits until it
// answers. Stop it with Stop.
func Start() (*Server, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New(InstallHint)
	}
	var errs []error
	// A free port can be taken between finding and binding it: try a few.
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("mototest: find a free port: %w", err)
		}
		s, err := start(path, port)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func start(path string, port int) (*Server, error) {
	s := &Server{URL: "http://localhost:" + strconv.Itoa(port), out: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.launch(); err != nil {
		return nil, fmt.Errorf("mototest: start %s: %w", path, err)
	}
	if err := s.waitReady(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("mototest: %s on port %d: %w; its output:\n%s", path, port, err, s.out.String())
	}
	return s, nil
}

// launch starts the process from a goroutine locked to its OS thread, which
// stays alive until the process exits: on Linux the parent-death signal
// fires when the thread that started the child ends, not the process, and Go
// may otherwise retire that thread at any time.
func (s *Server) launch() error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: the thread ends with this goroutine, after the
		// process has exited.
		if err := s.cmd.Start(); err != nil {
			started <- err
			close(s.exited)
			return
		}
		started <- nil
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	return <-started
}

func (s *Server) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("exited before answering (%v)", s.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %s: %w", startTimeout, err)
		}
	}
}

// Stop kills the server and waits for it to exit. It may be called more
// than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			killGroup(s.cmd.Process.Pid)
			_ = s.cmd.Process.Kill()
		}
		<-s.exited
	})
}

// Output returns what the server printed so far (its request log).
func (s *Server) Output() string { return s.out.String() }

// Config returns an AWS config for the server: dummy static credentials, the
// Region and the server's URL as the endpoint of every service. It reads no
// environment variable or shared config file.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region: Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "mototest"}, nil
		}),
		BaseEndpoint: aws.String(s.URL),
	}
}

// S3 returns an S3 client for the server, with path-style addressing.
func (s *Server) S3() *s3.Client {
	return s3.NewFromConfig(s.Config(), func(o *s3.Options) { o.UsePathStyle = true })
}

// SQS returns an SQS client for the server.
func (s *Server) SQS() *sqs.Client {
	return sqs.NewFromConfig(s.Config())
}

// Env sets the environment variables that point the AWS SDK's default
// configuration (config.LoadDefaultConfig) at the server, with dummy
// credentials, and hides any shared config or credentials file. It uses
// t.Setenv, so the test cannot be parallel.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ENDPOINT_URL_S3":         "", // would win over AWS_ENDPOINT_URL
		"AWS_ENDPOINT_URL_SQS":        "",
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

var seq atomic.Int64

var notName = regexp.MustCompile(`[^a-z0-9]+`)

// Name returns a name unique in this process, made from the test's name, that
// is valid for both an S3 bucket and an SQS queue (3-63 characters of a-z, 0-9
// and -).
func Name(t testing.TB) string {
	base := strings.Trim(notName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	suffix := fmt.Sprintf("-%d-%d", os.Getpid()%100000, seq.Add(1))
	if max := 63 - len(suffix) - 1; len(base) > max {
		base = strings.Trim(base[len(base)-max:], "-")
	}
	return "t" + base + suffix
}

// Bucket creates a bucket with a name of its own (Name) and returns the name.
func (s *Server) Bucket(t testing.TB, client *s3.Client) string {
	t.Helper()
	name := Name(t)
	_, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket:                    aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(Region)},
	})
	if err != nil {
		t.Fatalf("mototest: create bucket %s: %v", name, err)
	}
	return name
}

// Queue creates a queue with a name of its own (Name) and the given
// attributes (nil for none), and returns its URL.
func (s *Server) Queue(t testing.TB, client *sqs.Client, attributes map[string]string) string {
	t.Helper()
	name := Name(t)
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attributes})
	if err != nil {
		t.Fatalf("mototest: create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// The server Main starts lazily for the tests of this binary.
var (
	shared    *Server
	sharedErr error
	sharedMu  sync.Mutex
	inMain    bool
)

// Main runs the tests of a package that uses Shared, stops the server
// afterwards and exits with the tests' code. Call it from TestMain.
func Main(m *testing.M) {
	sharedMu.Lock()
	inMain = true
	sharedMu.Unlock()
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Stop()
	}
	sharedMu.Unlock()
	os.Exit(code)
}

// Shared returns the test binary's server, started on first use. It fails
// the test when moto_server cannot be started (saying how to install it), or
// when the package's TestMain does not call Main (the server would outlive
// the tests).
func Shared(t testing.TB) *Server {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if !inMain {
		t.Fatal("mototest: call mototest.Main(m) from the package's TestMain before using Shared, so the server is stopped after the tests")
	}
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start()
	}
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() > 1<<20 {
		b.b.Reset() // keep the tail of a long request log only
	}
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
