package handler_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// s3AsDeployedRole puts in front of moto's S3 what AWS S3 answers the
// deployed function role, which moto does not model: GetObject of a missing
// key is 403 AccessDenied, not 404 NoSuchKey, for a caller without
// s3:ListBucket on the bucket (documented for GetObject and HeadObject), and
// the role's only s3:ListBucket is conditioned on s3:prefix, which a GetObject
// request does not carry. Keys in denied are 403 whether they exist or not
// (a read the role may not make). Everything else is moto's answer.
func s3AsDeployedRole(t *testing.T, moto string, denied map[string]bool) *s3.Client {
	t.Helper()
	target, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	isGetObject := func(r *http.Request) bool {
		// /bucket/key, not a listing (?list-type=2) of /bucket.
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		return (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(parts) == 2 && parts[1] != ""
	}
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		key := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
		if !isGetObject(r) || (resp.StatusCode != http.StatusNotFound && !denied[key[len(key)-1]]) {
			return nil
		}
		resp.Body.Close()
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
		resp.StatusCode, resp.Status = http.StatusForbidden, "403 Forbidden"
		resp.Body = io.NopCloser(bytes.NewBufferString(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		resp.Header.Set("Content-Type", "application/xml")
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return s3.NewFromConfig(mototest.Shared(t).Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	})
}

// TestHandleSQS_RedeliveryAfterDeletionWithS3s403: S3 answers the deployed
// role 403 for a key that is gone. A redelivered notification of an object
// already shipped and deleted must succeed (not fail five times into the DLQ
// with a misleading AccessDenied); a read that is really denied must still
// fail the message.
func TestHandleSQS_RedeliveryAfterDeletionWithS3s403(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	shipped := w.put(loggen.ALB, 31, 20, "", "123456789012", "eu-west-1")
	denied := w.put(loggen.ALB, 32, 20, "", "123456789012", "eu-west-1")
	h := w.handler(pipeline.Options{})
	h.DeleteObjects = true
	h.S3 = s3AsDeployedRole(t, mototest.Shared(t).URL, map[string]bool{denied.key: true})

	resp, err := h.HandleSQS(context.Background(), batch(message("m1", eventBridgeEvent(w.bucket, shipped))))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("first delivery: %v, %v; want shipped", failures(resp), err)
	}
	w.checkDelivered(shipped)
	if w.exists(shipped.key) {
		t.Fatal("not deleted after shipping")
	}

	tests := map[string]struct {
		obj      object
		wantFail bool
	}{
		"redelivered after deletion: S3 says 403, the key is gone": {obj: shipped},
		"a read the role may not make: 403, the key is there":      {obj: denied, wantFail: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, err := h.HandleSQS(context.Background(), batch(message("m2", eventBridgeEvent(w.bucket, tc.obj))))
			if err != nil {
				t.Fatal(err)
			}
			if failed := len(resp.BatchItemFailures) == 1; failed != tc.wantFail {
				t.Errorf("message failed = %v, want %v", failed, tc.wantFail)
			}
		})
	}
	w.checkDelivered(shipped) // still exactly once
	if !w.exists(denied.key) {
		t.Error("the object whose read was denied is gone")
	}
}
