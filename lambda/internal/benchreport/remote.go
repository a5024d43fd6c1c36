package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Cores of the latency runs: the shipper runs on shipperCore, the receiver on
// receiverCore, so that reading and decoding what is sent never takes the
// measured core's time and the receiver is never the bottleneck.
const (
	shipperCore  = 0
	receiverCore = 1
)

// canPin reports whether processes can be pinned to the two cores above.
func canPin() bool {
	if runtime.NumCPU() < 2 {
		return false
	}
	_, err := exec.LookPath("taskset")
	return err == nil
}

// pinnedArgs returns the command line that runs argv on core, when pinning is
// possible, else argv itself.
func pinnedArgs(core int, argv ...string) []string {
	if !canPin() {
		return argv
	}
	return append([]string{"taskset", "-c", strconv.Itoa(core)}, argv...)
}

// remoteReceiver is the receiver run as a process of its own (this program with
// -receive), pinned to receiverCore. It is controlled over HTTP: POST
// /bench/reset?delay=150ms clears its counts and sets the delay of its answers,
// GET /bench/stats returns its counts.
type remoteReceiver struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	url    string // the logs endpoint
	ctl    string // base URL of the control endpoints
	client *http.Client
}

// wireStats is receiverStats as the receiver process reports it.
type wireStats struct {
	Requests     int    `json:"requests"`
	WireBytes    int64  `json:"wire_bytes"`
	FirstRecords int    `json:"first_records"`
	MaxInFlight  int    `json:"max_in_flight"`
	Err          string `json:"err,omitempty"`
}

func startRemoteReceiver() (*remoteReceiver, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	argv := pinnedArgs(receiverCore, exe, "-receive")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("receiver process: %w", err)
	}
	base := strings.TrimSpace(line)
	return &remoteReceiver{cmd: cmd, stdin: stdin, url: base + "/v1/logs", ctl: base + "/bench", client: &http.Client{Timeout: 10 * time.Second}}, nil
}

// close ends the receiver process (it exits when its stdin closes).
func (r *remoteReceiver) close() {
	_ = r.stdin.Close()
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
}

func (r *remoteReceiver) reset(delay time.Duration) error {
	resp, err := r.client.Post(r.ctl+"/reset?delay="+delay.String(), "text/plain", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("receiver reset: HTTP %d", resp.StatusCode)
	}
	return nil
}

func (r *remoteReceiver) stats() (receiverStats, error) {
	resp, err := r.client.Get(r.ctl + "/stats")
	if err != nil {
		return receiverStats{}, err
	}
	defer resp.Body.Close()
	var w wireStats
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil {
		return receiverStats{}, fmt.Errorf("receiver stats: %w", err)
	}
	st := receiverStats{requests: w.Requests, wireBytes: w.WireBytes, firstRecords: w.FirstRecords, maxInFlight: w.MaxInFlight}
	if w.Err != "" {
		st.err = errors.New(w.Err)
	}
	return st, nil
}

// runReceiver is the -receive mode: it serves the receiver and its control
// endpoints on a loopback port, prints the base URL, and exits when stdin
// closes (when the parent ends).
func runReceiver() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	r := &receiver{url: base + "/v1/logs"}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/logs", r)
	mux.HandleFunc("POST /bench/reset", func(w http.ResponseWriter, req *http.Request) {
		d, err := time.ParseDuration(req.URL.Query().Get("delay"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.resetDelay(d)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, _ *http.Request) {
		st := r.stats()
		out := wireStats{Requests: st.requests, WireBytes: st.wireBytes, FirstRecords: st.firstRecords, MaxInFlight: st.maxInFlight}
		if st.err != nil {
			out.Err = st.err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // Shutdown ends it
	fmt.Println(base)
	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return r.srv.Shutdown(ctx)
}
