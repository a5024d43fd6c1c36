package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// latencyDelays are the receiver delays of the latency table: loopback, a
// nearby region, across an ocean, and a slow backend.
var latencyDelays = []time.Duration{0, 50 * time.Millisecond, 150 * time.Millisecond, 500 * time.Millisecond}

// cpuSetting is one column of the latency table: the whole shipper core, or a
// Lambda function's share of it.
type cpuSetting struct {
	name  string
	share *cpuShare // nil: the whole core
}

// latencyCell is the median run of one delay and one CPU setting.
type latencyCell struct {
	res         childResult
	maxInFlight int // the most requests the receiver had open at once
}

// latencyTable ships in with GOMAXPROCS=1 against the receiver process at each
// delay and CPU setting, runs times each, and returns the median runs,
// indexed [delay][setting].
func latencyTable(rcv *remoteReceiver, in *input, settings []cpuSetting, runs int) ([][]latencyCell, error) {
	out := make([][]latencyCell, len(latencyDelays))
	for i, d := range latencyDelays {
		out[i] = make([]latencyCell, len(settings))
		for j, cs := range settings {
			var rs []childResult
			var inFlight []int
			for k := range runs {
				fmt.Fprintf(os.Stderr, "benchreport: latency %s, %s (%d/%d)...\n", d, cs.name, k+1, runs)
				r, st, err := rcv.shipChild(in, d, cs.share)
				if err != nil {
					return nil, fmt.Errorf("delay %s, %s: %w", d, cs.name, err)
				}
				rs, inFlight = append(rs, r), append(inFlight, st.maxInFlight)
			}
			m := median(rs)
			out[i][j] = latencyCell{res: m, maxInFlight: inFlight[slices.IndexFunc(rs, func(r childResult) bool { return r.Wall == m.Wall })]}
		}
	}
	return out, nil
}

// shipChild runs one child (-child, GOMAXPROCS=1, pinned to shipperCore, at the
// CPU share) against the receiver answering delay late, and checks what the
// receiver got.
func (r *remoteReceiver) shipChild(in *input, delay time.Duration, share *cpuShare) (childResult, receiverStats, error) {
	var res childResult
	if err := r.reset(delay); err != nil {
		return res, receiverStats{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return res, receiverStats{}, err
	}
	argv := share.wrap(pinnedArgs(shipperCore, exe, "-child", "-file", in.path, "-key", in.key, "-endpoint", r.url))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := share.run(cmd); err != nil {
		return res, receiverStats{}, fmt.Errorf("child: %w", err)
	}
	if err := json.Unmarshal([]byte(stdout.String()), &res); err != nil {
		return res, receiverStats{}, fmt.Errorf("child output %q: %w", stdout.String(), err)
	}
	st, err := r.stats()
	if err != nil {
		return res, st, err
	}
	switch {
	case st.err != nil:
		return res, st, fmt.Errorf("receiver: %w", st.err)
	case res.Records != int64(in.lines):
		return res, st, fmt.Errorf("child shipped %d records, want %d", res.Records, in.lines)
	case st.wireBytes != res.BytesSent || st.requests != res.Batches:
		return res, st, fmt.Errorf("receiver got %d bytes in %d requests; the child sent %d in %d", st.wireBytes, st.requests, res.BytesSent, res.Batches)
	case st.firstRecords == 0:
		return res, st, errors.New("receiver: the first request held no records")
	}
	return res, st, nil
}

// printLatency prints the latency table and works out, from its figures, the
// in-flight count and memory size the function needs.
func printLatency(w io.Writer, in *input, settings []cpuSetting, cells [][]latencyCell, runs int) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\nAgainst a distant backend: the receiver, a process of its own%s, answers each request a fixed delay after\n", pinNote(receiverCore))
	p("reading it; the shipper, a child with GOMAXPROCS=1%s, ships a %s-line file (%s gzip) at the defaults;\n", pinNote(shipperCore), thousands(int64(in.lines)), mb(in.gzipped))
	p("median of %d runs per cell\n\n", runs)
	p("  %-14s", "receiver delay")
	for _, cs := range settings {
		p(" %30s", cs.name)
	}
	p("\n  %-14s", "")
	for range settings {
		p(" %16s %13s", "lines/s", "in flight")
	}
	p("\n")
	for i, d := range latencyDelays {
		p("  %-14s", d.String())
		for j := range settings {
			c := cells[i][j]
			p(" %16s %13d", thousands(int64(c.res.linesPerSec())), c.maxInFlight)
		}
		p("  %s\n", pctOf(cells[i], cells[0]))
	}
	for _, cs := range settings {
		if cs.share != nil {
			p("\n  %s: %s.\n", cs.name, cs.share.method)
		}
	}
	p("  in flight: the most requests the receiver had open at once. %%: of the same column's lines/s at 0 ms.\n")

	// Worked out: the requests a delay needs in flight to keep the CPU busy is
	// the delay over the time the CPU takes to fill and compress one batch, plus
	// the one being compressed.
	p("\n%s", wrap(workedOut(in, settings, cells), 98, "  "))
}

func pctOf(row, base []latencyCell) string {
	var parts []string
	for j := range row {
		if b := base[j].res.linesPerSec(); b > 0 {
			parts = append(parts, fmt.Sprintf("%3.0f%%", 100*row[j].res.linesPerSec()/b))
		}
	}
	return strings.Join(parts, " ")
}

// workedOut derives the in-flight count and the memory size from the table.
func workedOut(in *input, settings []cpuSetting, cells [][]latencyCell) string {
	var b strings.Builder
	batchLines := float64(batchRecords)
	for j, cs := range settings {
		rate := cells[0][j].res.linesPerSec() // CPU-bound: the instant receiver
		perBatch := time.Duration(batchLines / rate * float64(time.Second))
		need := func(d time.Duration) int { return int(math.Ceil(d.Seconds()/perBatch.Seconds())) + 1 }
		fmt.Fprintf(&b, "%s: %s lines/s against an instant receiver, so one %s-record batch takes %s of CPU; hiding a 150 ms backend needs %d requests in flight, 200 ms %d, 500 ms %d. ",
			cs.name, thousands(int64(rate)), thousands(int64(batchRecords)), perBatch.Round(100*time.Microsecond), need(150*time.Millisecond), need(200*time.Millisecond), need(500*time.Millisecond))
	}
	one := cells[0][0].res
	wire := float64(one.BytesSent) / float64(one.Batches)
	raw := float64(one.BytesRead) / float64(one.Batches)
	fmt.Fprintf(&b, "A batch is %.0f KB on the wire (%.1f MB of log lines before encoding); a request in flight holds only its compressed body, so even 32 in flight hold %.0f MB. ",
		wire/1e3, raw/1e6, 32*wire/1e6)
	if len(settings) > 1 {
		share := cells[0][1].res.linesPerSec()
		fmt.Fprintf(&b, "Memory is therefore chosen for CPU: below %d MB a function's CPU, and so its lines/s once the backend's delay is hidden, grow in step with its memory and price, so the cost per line is the same at any size; %d MiB ships about %s lines in a 5-minute timeout, and %s an hour of continuous shipping.",
			fullVCPUMiB, defaultMemoryMiB, millions(share*300), millions(share*3600))
	}
	return b.String()
}

func millions(x float64) string { return fmt.Sprintf("%.0f million", x/1e6) }

func pinNote(core int) string {
	if !canPin() {
		return " (not pinned: taskset or a second core is missing)"
	}
	return fmt.Sprintf(" pinned to core %d", core)
}

// cliRun is one run of the elb-otel CLI.
type cliRun struct {
	wall       time.Duration
	cpu        time.Duration // user + system
	records    int64
	peakRSSKiB int64
}

var shippedRe = regexp.MustCompile(`shipped (\d+) records from (\d+) lines`)

// shipCLI runs `bin ship` (GOMAXPROCS=1, pinned to shipperCore) of in to the
// receiver answering delay late, and checks that every line arrived. The wall
// time is the process's, start-up included.
func (r *remoteReceiver) shipCLI(bin string, in *input, delay time.Duration) (cliRun, error) {
	var out cliRun
	if err := r.reset(delay); err != nil {
		return out, err
	}
	argv := pinnedArgs(shipperCore, bin, "ship", "--quiet", "--endpoint", strings.TrimSuffix(r.url, "/v1/logs"), "--key", in.key, in.path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	env := []string{"GOMAXPROCS=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") && !strings.HasPrefix(kv, "ELB_OTEL_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	out.wall = time.Since(t0)
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", bin, err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		out.peakRSSKiB = ru.Maxrss
	}
	out.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	m := shippedRe.FindStringSubmatch(stderr.String())
	if m == nil {
		return out, fmt.Errorf("%s: no summary line in %q", bin, stderr.String())
	}
	out.records, _ = strconv.ParseInt(m[1], 10, 64)
	st, err := r.stats()
	if err != nil {
		return out, err
	}
	if out.records != int64(in.lines) || st.err != nil || st.firstRecords == 0 {
		return out, fmt.Errorf("%s shipped %d records of %d lines (receiver: %d requests, error %v)", bin, out.records, in.lines, st.requests, st.err)
	}
	return out, nil
}

// compareCLI ships in with each binary against each delay, runs rounds, the
// runs of a round side by side, and prints the medians: how `elb-otel ship`
// fares against a distant backend, before and after a change.
func compareCLI(w io.Writer, bins []string, delays []time.Duration, lines, runs int, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "elb-otel-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	in, err := generate(dir, lines)
	if err != nil {
		return err
	}
	rcv, err := startRemoteReceiver()
	if err != nil {
		return err
	}
	defer rcv.close()
	got := make(map[string][]cliRun)
	key := func(bin string, d time.Duration) string { return bin + " " + d.String() }
	for k := range runs {
		for _, bin := range bins {
			for _, d := range delays {
				fmt.Fprintf(os.Stderr, "benchreport: %s ship, receiver delay %s (%d/%d)...\n", bin, d, k+1, runs)
				r, err := rcv.shipCLI(bin, in, d)
				if err != nil {
					return err
				}
				got[key(bin, d)] = append(got[key(bin, d)], r)
			}
		}
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("\n`elb-otel ship` of a %s-line ALB gzip file (%s), GOMAXPROCS=1%s; receiver%s answering each\n", thousands(int64(lines)), mb(in.gzipped), pinNote(shipperCore), pinNote(receiverCore))
	p("request after the delay; wall and CPU time of the process; median of %d rounds, each round every cell once\n\n", runs)
	p("  %-40s %-7s %10s %8s %11s %11s %s\n", "binary", "delay", "lines/s", "wall s", "µs CPU/ln", "peak RSS", "all runs, lines/s")
	for _, bin := range bins {
		base := 0.0
		for _, d := range delays {
			rs := got[key(bin, d)]
			walls := make([]time.Duration, len(rs))
			cpus := make([]time.Duration, len(rs))
			var all []string
			maxRSS := int64(0)
			for i, r := range rs {
				walls[i], cpus[i] = r.wall, r.cpu
				all = append(all, thousands(int64(float64(lines)/r.wall.Seconds())))
				maxRSS = max(maxRSS, r.peakRSSKiB)
			}
			slices.Sort(walls)
			slices.Sort(cpus)
			rate := float64(lines) / walls[len(walls)/2].Seconds()
			cpuPerLine := float64(cpus[len(cpus)/2].Microseconds()) / float64(lines)
			rel := ""
			if d == delays[0] {
				base = rate
			} else if base > 0 {
				// The same round's runs are side by side in time, so their ratio
				// is steadier than the ratio of medians on a busy machine.
				first := got[key(bin, delays[0])]
				ratios := make([]float64, len(rs))
				for i := range rs {
					ratios[i] = first[i].wall.Seconds() / rs[i].wall.Seconds()
				}
				slices.Sort(ratios)
				rel = fmt.Sprintf("  (%.0f%% of %s; median of the rounds' ratios %.0f%%)", 100*rate/base, delays[0], 100*ratios[len(ratios)/2])
			}
			p("  %-40s %-7s %10s %8.2f %11.2f %7.1f MiB %s%s\n", bin, d, thousands(int64(rate)), walls[len(walls)/2].Seconds(), cpuPerLine, float64(maxRSS)/1024, strings.Join(all, " "), rel)
		}
	}
	return nil
}
