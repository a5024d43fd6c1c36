package otlptest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// post sends an empty OTLP logs request (valid protobuf) and reports on done.
func post(t *testing.T, r *otlptest.Receiver, id int, done chan<- int) {
	go func() {
		resp, err := http.Post(r.URL+"/v1/logs", "application/x-protobuf", strings.NewReader(""))
		if err != nil {
			t.Error(err)
		} else {
			resp.Body.Close()
		}
		done <- id
	}()
}

// waitRequests waits until the receiver has seen n requests.
func waitRequests(t *testing.T, r *otlptest.Receiver, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.Requests() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests arrived, want %d", r.Requests(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestReceiver_HoldReverse(t *testing.T) {
	t.Parallel()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.HoldReverse(3, 1)
	done := make(chan int, 4)
	for id := 1; id <= 3; id++ {
		post(t, r, id, done)
		waitRequests(t, r, id)
	}
	for range 3 {
		<-done
	}
	if order := r.AnswerOrder(); len(order) != 3 || order[0] != 3 || order[1] != 2 || order[2] != 1 {
		t.Errorf("answered in order %v, want [3 2 1]", order)
	}
	if r.MaxOpen() != 3 {
		t.Errorf("MaxOpen = %d, want 3", r.MaxOpen())
	}
	post(t, r, 4, done) // one group only: not held
	if id := <-done; id != 4 {
		t.Errorf("got %d", id)
	}
}

func TestReceiver_AfterRequests(t *testing.T) {
	t.Parallel()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Script(otlptest.Response{AfterRequests: 2})
	done := make(chan int, 2)
	post(t, r, 1, done)
	waitRequests(t, r, 1)
	select {
	case <-done:
		t.Fatal("answered before the second request arrived")
	case <-time.After(50 * time.Millisecond):
	}
	post(t, r, 2, done)
	if a, b := <-done, <-done; a+b != 3 {
		t.Errorf("answers %d and %d", a, b)
	}
}

// TestReceiver_ResetMaxOpen: after ResetMaxOpen, MaxOpen counts only the
// requests that arrive later, not the ones still open.
func TestReceiver_ResetMaxOpen(t *testing.T) {
	t.Parallel()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.HoldReverse(4, 1)
	done := make(chan int, 5)
	for id := 1; id <= 3; id++ {
		post(t, r, id, done)
		waitRequests(t, r, id)
	}
	if r.MaxOpen() != 3 {
		t.Fatalf("MaxOpen = %d with three held, want 3", r.MaxOpen())
	}
	r.ResetMaxOpen()
	if r.MaxOpen() != 0 {
		t.Errorf("MaxOpen = %d after the reset, want 0", r.MaxOpen())
	}
	post(t, r, 4, done) // fills the group: all four are answered
	for range 4 {
		<-done
	}
	if r.MaxOpen() != 1 {
		t.Errorf("MaxOpen = %d, want 1 (the one request since the reset)", r.MaxOpen())
	}
	post(t, r, 5, done)
	<-done
	if r.MaxOpen() != 1 {
		t.Errorf("MaxOpen = %d after one more request, want 1", r.MaxOpen())
	}
}
