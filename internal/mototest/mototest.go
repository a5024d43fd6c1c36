package mototest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/localaws"
)

// Region is the AWS Region the clients and Env use.
const Region = "eu-west-1"

// Dummy credentials moto accepts.
const (
	AccessKeyID     = localaws.AccessKeyID
	SecretAccessKey = localaws.SecretAccessKey
)

// InstallHint says how to get moto_server.
const InstallHint = localaws.InstallHint

// startTimeout bounds the wait for a new server to answer.
const startTimeout = 30 * time.Second

// outputTail is how much of its request log a server keeps for Output.
const outputTail = 1 << 20

// Server is a running moto_server.
type Server struct {
	// URL is the server's base URL, http://localhost:PORT.
	URL string

	moto *localaws.Moto
}

// Start starts moto_server on a free loopback port and waits until it
// answers. Stop it with Stop; should the test binary die first (a timeout
// panic, a kill), the kernel kills it (Linux). Its error says how to install
// moto_server when it is not on PATH.
func Start() (*Server, error) {
	m, err := localaws.Start(context.Background(), localaws.Options{StartTimeout: startTimeout, OutputTail: outputTail})
	if err != nil {
		return nil, err
	}
	return &Server{URL: m.URL, moto: m}, nil
}

// Stop kills the server and waits for it to exit. It may be called more
// than once.
func (s *Server) Stop() { s.moto.Stop() }

// Output returns what the server printed lately (the last MiB of its
// request log).
func (s *Server) Output() string { return s.moto.Output() }

// Config returns an AWS config for the server: dummy static credentials, the
// Region and the server's URL as the endpoint of every service. It reads no
// environment variable or shared config file.
func (s *Server) Config() aws.Config {
	cfg := s.moto.Config()
	cfg.Region = Region
	cfg.RetryMaxAttempts = 0 // the SDK's default
	return cfg
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
