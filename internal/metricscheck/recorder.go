package metricscheck

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Recorder passes every request on to an AWS endpoint (moto) unchanged and
// records the window of each CloudWatch GetMetricData request (query
// protocol: Action=GetMetricData, StartTime, EndTime), so Check can compare
// the exporter's windows with the configured period and delay. Point the
// exporter's AWS_ENDPOINT_URL at it.
type Recorder struct {
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	round []Round
	errs  []string
	calls map[string]int
}

// NewRecorder returns a recorder in front of target.
func NewRecorder(target *url.URL) *Recorder {
	return &Recorder{proxy: httputil.NewSingleHostReverseProxy(target), calls: map[string]int{}}
}

func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		r.record(form)
	}
	r.proxy.ServeHTTP(w, req)
}

func (r *Recorder) record(form url.Values) {
	r.mu.Lock()
	defer r.mu.Unlock()
	action := form.Get("Action")
	r.calls[action]++
	if action != "GetMetricData" {
		return
	}
	start, err1 := time.Parse(time.RFC3339, form.Get("StartTime"))
	end, err2 := time.Parse(time.RFC3339, form.Get("EndTime"))
	if err1 != nil || err2 != nil {
		r.errs = append(r.errs, "GetMetricData without a readable StartTime/EndTime: "+form.Encode())
		return
	}
	r.round = append(r.round, Round{At: time.Now(), Start: start.UTC(), End: end.UTC()})
}

// Rounds returns the GetMetricData requests so far.
func (r *Recorder) Rounds() []Round {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Round(nil), r.round...)
}

// Calls counts the requests by Action.
func (r *Recorder) Calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.calls {
		out[k] = v
	}
	return out
}

// Errors lists the GetMetricData requests it could not read.
func (r *Recorder) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}
