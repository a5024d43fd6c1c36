package handler_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/elb-otel/elb-otel/internal/mototest"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// cutAfter stops passing the body on after n bytes, with an error: the
// reverse proxy then aborts the response, and the client sees the TCP
// connection close before Content-Length bytes arrived.
type cutAfter struct {
	r io.ReadCloser
	n int
}

func (c *cutAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection cut by the test")
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= k
	return k, err
}

func (c *cutAfter) Close() error { return c.r.Close() }

// s3CuttingBodies is moto's S3 behind a proxy that cuts every object body
// after n bytes, as a connection reset mid-download does.
func s3CuttingBodies(t *testing.T, n int) *s3.Client {
	t.Helper()
	target, err := url.Parse(mototest.Shared(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodGet && resp.StatusCode == http.StatusOK && strings.Count(strings.Trim(resp.Request.URL.Path, "/"), "/") > 0 {
			resp.Body = &cutAfter{r: resp.Body, n: n}
		}
		return nil
	}
	rp.ErrorLog = nil
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return s3.NewFromConfig(mototest.Shared(t).Config(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	})
}

// A connection cut mid-object is a transient read error: the message fails
// and is retried, but the object is not called corrupt (that would send an
// operator looking at a sound object).
func TestShipObject_AConnectionCutMidObjectIsNotCorrupt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.put(loggen.ALB, 41, 3000, "", "123456789012", "eu-west-1")
	var logs bytes.Buffer
	h := w.handler(pipeline.Options{})
	h.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	h.S3 = s3CuttingBodies(t, int(o.size/2))

	_, err := h.ShipObject(context.Background(), event.Object{Bucket: w.bucket, Key: o.key})
	if err == nil {
		t.Fatal("ShipObject succeeded with half the object")
	}
	if errors.Is(err, pipeline.ErrCorrupt) || strings.Contains(logs.String(), pipeline.ErrCorrupt.Error()) {
		t.Errorf("a cut connection is reported as a corrupt object: %v\n%s", err, logs.String())
	}
	if !strings.Contains(err.Error(), "reading s3://") {
		t.Errorf("the error does not say the read failed: %v", err)
	}
	// What was shipped before the cut are whole lines: the line the cut
	// broke is not shipped (a retry ships it whole, under the same
	// log.record.uid a backend deduplicates by).
	whole := map[string]bool{}
	for _, l := range o.lines {
		whole[l] = true
	}
	recs := w.rcv.Records()
	if len(recs) == 0 {
		t.Fatal("nothing shipped before the cut: the test does not cut mid-object")
	}
	for _, r := range recs {
		if !whole[r.Body] {
			t.Fatalf("a broken line was shipped: %.80q (of %d records)", r.Body, len(recs))
		}
	}
}
