package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

func TestShip_FilesArriveExactlyOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []logFile{
		writeFile(t, dir, generate(loggen.ALB, 1, 300, "")),
		writeFile(t, dir, generate(loggen.CLB, 2, 50, "")),
		writeFile(t, dir, generate(loggen.NLB, 3, 20, "")),
	}
	rcv := receiver(t)
	code, _, stderr := cli(t, "ship", "--endpoint", rcv.URL, "--quiet", files[0].path, files[1].path, files[2].path)
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	checkDelivered(t, rcv.Records(), files...)
	if want := "shipped 370 records from 370 lines"; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
}

// ship exits non-zero when a file could not be shipped, and still ships the
// others.
func TestShip_FailsWhenAFileFails(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		script  []otlptest.Response
		missing bool
		want    []int // indexes of the files that must arrive
	}{
		"missing file":               {missing: true, want: []int{0, 1}},
		"endpoint rejects a request": {script: []otlptest.Response{{Status: 400}}, want: []int{1}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := []logFile{writeFile(t, dir, generate(loggen.ALB, 1, 30, "")), writeFile(t, dir, generate(loggen.NLB, 2, 30, ""))}
			rcv := receiver(t)
			rcv.Script(tt.script...)
			args := []string{"ship", "--endpoint", rcv.URL, "--quiet", files[0].path, files[1].path}
			if tt.missing {
				args = append(args, filepath.Join(dir, "missing.log.gz"))
			}
			code, _, stderr := cli(t, args...)
			if code != 1 || !strings.Contains(stderr, "1 inputs failed") {
				t.Errorf("exit code %d, want 1 with \"1 inputs failed\"; stderr:\n%s", code, stderr)
			}
			var want []logFile
			for _, i := range tt.want {
				want = append(want, files[i])
			}
			checkDelivered(t, rcv.Records(), want...)
		})
	}
}

// ship s3://bucket/prefix ships every log object under the prefix, inline.
func TestShip_S3Prefix(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	client := srv.S3()
	bucket := srv.Bucket(t, client)
	var files []logFile
	for i, kind := range []loggen.Kind{loggen.ALB, loggen.ALBConnection, loggen.NLB, loggen.CLB, loggen.ALB} {
		files = append(files, putObject(t, client, bucket, generate(kind, uint64(i+1), 40, "elb/")))
	}
	putObject(t, client, bucket, logFile{key: "elb/AWSLogs/123456789012/ELBAccessLogTestFile", data: []byte("Enable AccessLog\n")})
	putObject(t, client, bucket, generate(loggen.ALB, 99, 10, "other/"))

	rcv := receiver(t)
	code, _, stderr := cli(t, "ship", "--endpoint", rcv.URL, "--quiet", "s3://"+bucket+"/elb/")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	checkDelivered(t, rcv.Records(), files...)
	if want := "5 objects shipped, 0 failed, 1 skipped"; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
}

// The sending flags: requests in flight, zstd, the gzip level; every line
// arrives once whichever is used, and a bad value is a clear error.
func TestShip_SendingFlags(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		flags   []string
		wantErr string
	}{
		"one in flight":      {flags: []string{"--in-flight", "1"}},
		"eight in flight":    {flags: []string{"--in-flight", "8"}},
		"zstd":               {flags: []string{"--compression", "zstd"}},
		"gzip level 1":       {flags: []string{"--gzip-level", "1"}},
		"too many in flight": {flags: []string{"--in-flight", "65"}, wantErr: "--in-flight must be between 1 and 64, got 65"},
		"gzip level 0-9":     {flags: []string{"--gzip-level", "10"}, wantErr: "GzipLevel must be between 1 (fastest) and 9 (smallest), got 10"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := writeFile(t, t.TempDir(), generate(loggen.ALB, 7, 500, ""))
			rcv := receiver(t)
			args := append(append([]string{"ship", "--endpoint", rcv.URL, "--quiet"}, tc.flags...), file.path)
			code, _, stderr := cli(t, args...)
			if tc.wantErr != "" {
				if code != 1 || !strings.Contains(stderr, tc.wantErr) {
					t.Errorf("exit code %d, want 1 saying %q; stderr:\n%s", code, tc.wantErr, stderr)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			checkDelivered(t, rcv.Records(), file)
		})
	}
}
