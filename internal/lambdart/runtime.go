package lambdart

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/elb-otel/elb-otel/internal/childproc"
)

// Function describes the function to run, as its configuration says.
type Function struct {
	// Name and ARN of the function (AWS_LAMBDA_FUNCTION_NAME and the
	// Lambda-Runtime-Invoked-Function-Arn header).
	Name string
	ARN  string
	// Region is AWS_REGION. Default: us-east-1.
	Region string
	// MemoryMiB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE. Default: 128.
	MemoryMiB int
	// Timeout is each invocation's deadline. Default: 3 seconds, as Lambda's.
	Timeout time.Duration
	// Env are the function's configured environment variables.
	Env map[string]string
	// LogFormat is "JSON" or "Text" (AWS_LAMBDA_LOG_FORMAT). Default: Text.
	LogFormat string
	// LogGroup is AWS_LAMBDA_LOG_GROUP_NAME. Default: /aws/lambda/<Name>.
	LogGroup string
}

// Options configure Start.
type Options struct {
	// Bootstrap is the path of the executable to run.
	Bootstrap string
	Function  Function
	// Env are further variables, set after the function's: the credentials,
	// and AWS_ENDPOINT_URL for a local AWS API.
	Env map[string]string
	// Stdout and Stderr receive the function's output (in Lambda, its log
	// stream). Default: discarded.
	Stdout, Stderr io.Writer
	// InitTimeout bounds the wait for the function's first call to the
	// runtime API. Default: 10 seconds, as Lambda's init phase.
	InitTimeout time.Duration
}

// Result is one invocation's outcome.
type Result struct {
	RequestID string
	// Payload is the function's response body, when it succeeded.
	Payload []byte
	// Error is set when the function reported an error, crashed or timed out.
	Error *FunctionError
	// Duration is from handing the event over to the response.
	Duration time.Duration
}

// FunctionError is a function error as the runtime API receives it.
type FunctionError struct {
	Type    string   `json:"errorType"`
	Message string   `json:"errorMessage"`
	Stack   []string `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Runtime is a running function under a local runtime API.
type Runtime struct {
	fn   Function
	addr string
	srv  *http.Server
	proc *childproc.Process

	queue chan *invocation // events waiting for GET next

	mu         sync.Mutex
	inflight   map[string]*invocation
	extensions map[string][]string // extension ID -> events it registered for
	initErr    *FunctionError
	ready      chan struct{} // closed at the first GET next
	readyOnce  sync.Once
	shutdown   chan struct{} // closed by Close: extensions' event/next answers SHUTDOWN
	closeOnce  sync.Once
	closeErr   error
	stats      Stats
}

// Stats count what the runtime saw.
type Stats struct {
	Invocations int
	Errors      int // function errors, crashes and timeouts
	Extensions  []string
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	started  time.Time
	handed   chan struct{} // closed by GET next once started and deadline are set
	done     chan Result
	once     sync.Once
}

func (in *invocation) finish(r Result) {
	in.once.Do(func() {
		r.RequestID = in.id
		if !in.started.IsZero() {
			r.Duration = time.Since(in.started)
		}
		in.done <- r
	})
}

// Start serves the runtime API on a free loopback port, starts the
// bootstrap and waits until it asks for its first event (the end of its init
// phase), or reports an init error.
func Start(ctx context.Context, opts Options) (*Runtime, error) {
	fn := opts.Function
	if fn.Name == "" || opts.Bootstrap == "" {
		return nil, errors.New("lambdart: set Options.Bootstrap and Function.Name")
	}
	if fn.Region == "" {
		fn.Region = "us-east-1"
	}
	if fn.MemoryMiB == 0 {
		fn.MemoryMiB = 128
	}
	if fn.Timeout == 0 {
		fn.Timeout = 3 * time.Second
	}
	if fn.LogGroup == "" {
		fn.LogGroup = "/aws/lambda/" + fn.Name
	}
	if opts.InitTimeout == 0 {
		opts.InitTimeout = 10 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdart: listen: %w", err)
	}
	r := &Runtime{
		fn: fn, addr: ln.Addr().String(), queue: make(chan *invocation),
		inflight: map[string]*invocation{}, extensions: map[string][]string{}, ready: make(chan struct{}), shutdown: make(chan struct{}),
	}
	r.srv = &http.Server{Handler: r.routes(), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // Close ends it

	bin, err := filepath.Abs(opts.Bootstrap)
	if err != nil {
		r.srv.Close()
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = r.environ(filepath.Dir(bin), opts.Env)
	cmd.Stdout, cmd.Stderr = orDiscard(opts.Stdout), orDiscard(opts.Stderr)
	p, err := childproc.Start(cmd)
	if err != nil {
		r.srv.Close()
		return nil, fmt.Errorf("lambdart: start %s: %w", bin, err)
	}
	r.proc = p

	timer := time.NewTimer(opts.InitTimeout)
	defer timer.Stop()
	select {
	case <-r.ready:
		return r, nil
	case <-p.Done():
		err = fmt.Errorf("lambdart: %s exited during init (%v)%s", filepath.Base(bin), p.Err(), r.initSuffix())
	case <-timer.C:
		err = fmt.Errorf("lambdart: %s did not ask for an event within %s (Lambda's init timeout)%s", filepath.Base(bin), opts.InitTimeout, r.initSuffix())
	case <-ctx.Done():
		err = ctx.Err()
	}
	r.Close()
	return nil, err
}

func (r *Runtime) initSuffix() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.initErr != nil {
		return "; init error: " + r.initErr.Error()
	}
	return ""
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// environ is the function's environment: Lambda's reserved variables, the
// function's own, then extra. Nothing of this process's environment leaks in.
func (r *Runtime) environ(taskRoot string, extra map[string]string) []string {
	env := map[string]string{}
	for k, v := range r.fn.Env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	// Reserved: a function's configuration cannot set these.
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          r.addr,
		"AWS_LAMBDA_FUNCTION_NAME":        r.fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(r.fn.MemoryMiB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       r.fn.LogGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + newID()[:32],
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      r.fn.Region,
		"AWS_DEFAULT_REGION":              r.fn.Region,
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                taskRoot,
		"LAMBDA_RUNTIME_DIR":              taskRoot,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	if r.fn.LogFormat != "" {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = r.fn.LogFormat
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Addr is the runtime API's host:port (AWS_LAMBDA_RUNTIME_API).
func (r *Runtime) Addr() string { return r.addr }

// Pid is the function process's ID.
func (r *Runtime) Pid() int { return r.proc.Pid() }

// Stats returns what the runtime saw so far.
func (r *Runtime) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Extensions = append([]string(nil), s.Extensions...)
	return s
}

// Invoke hands payload to the function and waits for its result. The error
// is for failures of the runtime itself (the function gone, ctx done); a
// function error is in Result.Error. A function that outlives its deadline
// is killed, and later invocations fail.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) (Result, error) {
	in := &invocation{id: newID(), payload: payload, handed: make(chan struct{}), done: make(chan Result, 1)}
	select {
	case r.queue <- in:
	case <-r.proc.Done():
		return Result{}, fmt.Errorf("lambdart: the function is not running (%v)", r.proc.Err())
	case <-r.shutdown:
		return Result{}, errors.New("lambdart: closed")
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case <-in.handed:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	timer := time.NewTimer(time.Until(in.deadline) + 500*time.Millisecond)
	defer timer.Stop()
	var res Result
	select {
	case res = <-in.done:
	case <-r.proc.Done():
		in.finish(Result{Error: &FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprintf("the function exited during the invocation: %v", r.proc.Err())}})
		res = <-in.done
	case <-timer.C:
		// Lambda ends an execution environment whose invocation timed out.
		r.proc.Kill()
		in.finish(Result{Error: &FunctionError{Type: "Sandbox.Timedout", Message: fmt.Sprintf("Task timed out after %s", r.fn.Timeout)}})
		res = <-in.done
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	r.mu.Lock()
	delete(r.inflight, in.id)
	r.stats.Invocations++
	if res.Error != nil {
		r.stats.Errors++
	}
	r.mu.Unlock()
	return res, nil
}

// InvokeJSON marshals event, invokes, and unmarshals a successful response
// into out (which may be nil).
func (r *Runtime) InvokeJSON(ctx context.Context, event, out any) (Result, error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return Result{}, fmt.Errorf("lambdart: marshal event: %w", err)
	}
	res, err := r.Invoke(ctx, payload)
	if err != nil || res.Error != nil || out == nil {
		return res, err
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		return res, fmt.Errorf("lambdart: the function's response %q: %w", snippet(res.Payload), err)
	}
	return res, nil
}

// Close ends the execution environment as Lambda does: extensions that
// registered for SHUTDOWN get it, the function gets SIGTERM and, if it is
// still running 500 ms later (an aws-lambda-go function that handles SIGTERM
// keeps running), SIGKILL. The error says whether the process had already
// died before Close.
func (r *Runtime) Close() error {
	r.closeOnce.Do(func() {
		close(r.shutdown)
		if r.proc != nil {
			select {
			case <-r.proc.Done():
				r.closeErr = fmt.Errorf("lambdart: the function had exited before Close: %v", r.proc.Err())
			default:
				_ = r.proc.Signal(syscall.SIGTERM)
				select {
				case <-r.proc.Done():
				case <-time.After(500 * time.Millisecond):
				}
			}
			r.proc.Kill()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = r.srv.Shutdown(ctx)
		r.srv.Close()
	})
	return r.closeErr
}

const (
	apiPrefix       = "/2018-06-01/runtime/"
	extensionPrefix = "/2020-01-01/extension/"
)

func (r *Runtime) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"invocation/next", r.next)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/response", r.response)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/error", r.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"init/error", r.initError)
	mux.HandleFunc("POST "+extensionPrefix+"register", r.registerExtension)
	mux.HandleFunc("GET "+extensionPrefix+"event/next", r.extensionNext)
	return mux
}

func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	r.readyOnce.Do(func() { close(r.ready) })
	var in *invocation
	select {
	case in = <-r.queue:
	case <-r.shutdown:
		// Lambda never answers: the process is about to be stopped.
		<-req.Context().Done()
		return
	case <-req.Context().Done():
		return
	}
	in.started = time.Now()
	in.deadline = in.started.Add(r.fn.Timeout)
	r.mu.Lock()
	r.inflight[in.id] = in
	r.mu.Unlock()
	close(in.handed)
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", in.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(in.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", r.fn.ARN)
	h.Set("Lambda-Runtime-Trace-Id", traceHeader(in.started))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(in.payload) //nolint:errcheck // the function reads it or dies
}

func (r *Runtime) lookup(w http.ResponseWriter, req *http.Request) *invocation {
	id := req.PathValue("id")
	r.mu.Lock()
	in := r.inflight[id]
	r.mu.Unlock()
	if in == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", fmt.Sprintf("no invocation in progress has request id %q", id))
	}
	return in
}

func (r *Runtime) response(w http.ResponseWriter, req *http.Request) {
	in := r.lookup(w, req)
	if in == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 6<<20+1))
	switch {
	case err != nil:
		in.finish(Result{Error: &FunctionError{Type: "Runtime.ResponseError", Message: err.Error()}})
	case len(body) > 6<<20:
		// Lambda's synchronous response limit.
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload over 6 MB")
		in.finish(Result{Error: &FunctionError{Type: "Function.ResponseSizeTooLarge", Message: "response payload over 6 MB"}})
		return
	default:
		if t := req.Trailer.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
			in.finish(Result{Error: &FunctionError{Type: t, Message: "error while streaming the response"}})
		} else {
			in.finish(Result{Payload: body})
		}
	}
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`) //nolint:errcheck
}

func (r *Runtime) invocationError(w http.ResponseWriter, req *http.Request) {
	in := r.lookup(w, req)
	if in == nil {
		return
	}
	in.finish(Result{Error: readError(req)})
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`) //nolint:errcheck
}

func (r *Runtime) initError(w http.ResponseWriter, req *http.Request) {
	fe := readError(req)
	r.mu.Lock()
	r.initErr = fe
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`) //nolint:errcheck
}

func readError(req *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil || (fe.Type == "" && fe.Message == "") {
		fe = &FunctionError{Message: string(body)}
	}
	if t := req.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" && fe.Type == "" {
		fe.Type = t
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func (r *Runtime) registerExtension(w http.ResponseWriter, req *http.Request) {
	name := req.Header.Get("Lambda-Extension-Name")
	var body struct {
		Events []string `json:"events"`
	}
	_ = json.NewDecoder(io.LimitReader(req.Body, 1<<16)).Decode(&body)
	id := newID()
	r.mu.Lock()
	r.stats.Extensions = append(r.stats.Extensions, name)
	r.extensions[id] = body.Events
	r.mu.Unlock()
	w.Header().Set("Lambda-Extension-Identifier", id)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"functionName":%q,"functionVersion":"$LATEST","handler":"bootstrap"}`, r.fn.Name)
}

// extensionNext answers SHUTDOWN at Close to an extension registered for it;
// an extension registered for no event (aws-lambda-go's, which only wants
// SIGTERM) waits for ever, as in Lambda.
func (r *Runtime) extensionNext(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	events := r.extensions[req.Header.Get("Lambda-Extension-Identifier")]
	r.mu.Unlock()
	wantsShutdown := false
	for _, e := range events {
		wantsShutdown = wantsShutdown || e == "SHUTDOWN"
	}
	select {
	case <-r.shutdown:
		if wantsShutdown {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"eventType":"SHUTDOWN","shutdownReason":"spindown","deadlineMs":%d}`, time.Now().Add(500*time.Millisecond).UnixMilli())
			return
		}
		<-req.Context().Done()
	case <-req.Context().Done():
	}
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errorType":%q,"errorMessage":%q}`, typ, msg)
}

// newID returns a random request ID in UUID form.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// traceHeader is an X-Ray trace header, as Lambda passes it.
func traceHeader(t time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", t.Unix(), hex.EncodeToString(b[:]), hex.EncodeToString(b[:8]))
}

func snippet(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return strings.TrimSpace(string(b))
}
