package mototest_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/internal/mototest"
)

func TestMain(m *testing.M) { mototest.Main(m) }

func TestShared_S3RoundTripWithPathStyle(t *testing.T) {
	t.Parallel()
	srv := mototest.Shared(t)
	if !strings.HasPrefix(srv.URL, "http://localhost:") {
		t.Errorf("URL = %q, want http://localhost:PORT", srv.URL)
	}
	ctx := context.Background()
	client := srv.S3()
	bucket := srv.Bucket(t, client)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("a/b.log"), Body: strings.NewReader("hello\n")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("a/b.log")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	if string(b) != "hello\n" {
		t.Errorf("got %q, want %q", b, "hello\n")
	}
}

func TestShared_SQSRoundTrip(t *testing.T) {
	t.Parallel()
	srv := mototest.Shared(t)
	ctx := context.Background()
	client := srv.SQS()
	url := srv.Queue(t, client, nil)
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "hi" {
		t.Errorf("received %+v, want one message \"hi\"", out.Messages)
	}
}

func TestName_IsAValidUniqueBucketAndQueueName(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
	seen := map[string]bool{}
	for _, name := range []string{"short", strings.Repeat("Very_Long/Sub Test Name ", 10)} {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < 3; i++ {
				n := mototest.Name(t)
				if !valid.MatchString(n) {
					t.Errorf("Name = %q: not a valid bucket name", n)
				}
				if seen[n] {
					t.Errorf("Name = %q twice", n)
				}
				seen[n] = true
			}
		})
	}
}

func TestStop_EndsTheServer(t *testing.T) {
	t.Parallel()
	srv, err := mototest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !answers(srv.URL) {
		t.Fatalf("%s does not answer after Start", srv.URL)
	}
	srv.Stop()
	srv.Stop() // a second Stop is harmless
	if answers(srv.URL) {
		t.Errorf("%s still answers after Stop", srv.URL)
	}
}

func TestStart_SaysHowToInstallMotoServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	srv, err := mototest.Start()
	if err == nil {
		srv.Stop()
		t.Fatal("Start found a moto_server on an empty PATH")
	}
	if err.Error() != mototest.InstallHint || !strings.Contains(err.Error(), "pip install 'moto[server]'") {
		t.Errorf("Start error = %q, want the install hint", err)
	}
}

func answers(url string) bool {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url + "/moto-api/")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}
