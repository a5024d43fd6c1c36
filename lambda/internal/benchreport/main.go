// Command benchreport measures the log pipeline end to end and prints the table
// `make bench` shows: lines/s and MB/s for gunzip, parse, encode, gzip and POST to
// a loopback receiver, with GOMAXPROCS=1 and with every core; parse-only ns/line
// and allocs/line; wire bytes per record; the peak RSS of shipping a
// 1,000,000-line gzip file; and how the CPU time of the one-core run splits
// between decompress, parse, encode, compress and network, from its pprof CPU
// profile.
//
// Each end-to-end run is a child process (this program, re-executed with -child),
// so its GOMAXPROCS, CPU time and peak RSS (VmHWM) are its own; the receiver runs
// in the parent, discards what it receives and decodes the first request of each
// run with OpenTelemetry's own protobuf types, to check that the runs ship real
// records.
//
// The latency table ships a smaller file (-latency-lines) against a receiver that
// answers each request 0, 50, 150 and 500 ms late, as a distant backend does: on
// one core, and at the function's default memory size's share of one (see
// cpuShare). There the receiver is a process of its own pinned to one core and
// the shipper, with GOMAXPROCS=1, is pinned to the other (taskset), so the
// receiver's work never takes the measured core's time.
//
// With -ship-cli, it instead times the elb-otel CLI (`elb-otel ship`, GOMAXPROCS=1,
// pinned) of a generated file against the receiver process at -delays, several
// binaries side by side (before and after a change), and prints the medians.
//
// Usage:
//
//	go run ./lambda/internal/benchreport [-lines 1000000] [-latency-lines 200000] [-runs 3] [-dir DIR]
//	go run ./lambda/internal/benchreport -ship-cli OLD,NEW [-lines 200000] [-delays 0s,150ms] [-runs 5]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// Targets of the issue the report checks.
const (
	targetLinesPerSecond = 120_000
	targetRSSMiB         = 128
	targetWireBytes      = 200
	targetParseNs        = 1000
	targetParseAllocs    = 2
)

// seed and start make the generated input the same on every run.
var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const seed = 20261125

// batchRecords is the pipeline's default batch size.
const batchRecords = pipeline.DefaultMaxBatchRecords

func main() {
	var (
		child      = flag.Bool("child", false, "ship -file to -endpoint and print the result as JSON (used by the report)")
		file       = flag.String("file", "", "child: the gzip file to ship")
		key        = flag.String("key", "", "child: the S3 key of the file")
		endpoint   = flag.String("endpoint", "", "child: the OTLP logs endpoint")
		cpuprofile = flag.String("cpuprofile", "", "child: write a CPU profile of the shipping here")
		inFlight   = flag.Int("inflight", 0, "child: requests in flight (default: the pipeline's)")
		lines      = flag.Int("lines", 1_000_000, "lines in the generated file")
		runs       = flag.Int("runs", 3, "end-to-end runs per GOMAXPROCS setting (the median is shown)")
		dir        = flag.String("dir", "", "directory for the generated file and the profile (default: a new temporary directory, removed at the end)")
		latLines   = flag.Int("latency-lines", 200_000, "lines in the file of the latency table (0: no latency table)")
		receive    = flag.Bool("receive", false, "serve the receiver and print its URL, until stdin closes (used by the report)")
		shipCLI    = flag.String("ship-cli", "", "instead of the report: time `elb-otel ship` with these binaries (comma-separated), GOMAXPROCS=1, against -delays")
		delays     = flag.String("delays", "0s,150ms", "-ship-cli: the receiver delays")
	)
	flag.Parse()
	if *child {
		if err := runChild(*file, *key, *endpoint, *cpuprofile, *inFlight); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport -child:", err)
			os.Exit(1)
		}
		return
	}
	if *receive {
		if err := runReceiver(); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport -receive:", err)
			os.Exit(1)
		}
		return
	}
	if *shipCLI != "" {
		var ds []time.Duration
		for _, v := range strings.Split(*delays, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchreport: -delays:", err)
				os.Exit(2)
			}
			ds = append(ds, d)
		}
		if err := compareCLI(os.Stdout, strings.Split(*shipCLI, ","), ds, *lines, *runs, *dir); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
			os.Exit(1)
		}
		return
	}
	if err := report(os.Stdout, *lines, *latLines, *runs, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// input is the generated log file.
type input struct {
	path     string
	key      string
	lines    int
	raw      int64 // uncompressed bytes
	gzipped  int64
	genTime  time.Duration
	examples []string // the first lines, for the in-process benchmarks
}

func report(w io.Writer, lines, latLines, runs int, dir string) error {
	if lines <= 0 || runs <= 0 {
		return fmt.Errorf("-lines and -runs must be positive, got %d and %d", lines, runs)
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "elb-otel-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	started := time.Now()
	fmt.Fprintf(os.Stderr, "benchreport: generating %s ALB access log lines...\n", thousands(int64(lines)))
	in, err := generate(dir, lines)
	if err != nil {
		return err
	}

	rcv, err := startReceiver()
	if err != nil {
		return err
	}
	defer rcv.close()

	procs := []int{1, runtime.NumCPU()}
	e2e := make(map[int][]childResult)
	for _, p := range procs {
		for i := range runs {
			fmt.Fprintf(os.Stderr, "benchreport: shipping with GOMAXPROCS=%d (%d/%d)...\n", p, i+1, runs)
			r, err := rcv.ship(in, p, "")
			if err != nil {
				return err
			}
			e2e[p] = append(e2e[p], r)
		}
	}
	fmt.Fprintln(os.Stderr, "benchreport: profiling the GOMAXPROCS=1 run...")
	profPath := filepath.Join(dir, "cpu.pprof")
	profRun, err := rcv.ship(in, 1, profPath)
	if err != nil {
		return err
	}
	split, err := profileSplit(profPath)
	if err != nil {
		return fmt.Errorf("reading the CPU profile: %w", err)
	}
	fmt.Fprintln(os.Stderr, "benchreport: per-line benchmarks...")
	per := perLine(in.examples)
	levels, err := compressionLevels(in.examples, batchRecords)
	if err != nil {
		return err
	}

	var lat [][]latencyCell
	var latIn *input
	settings := []cpuSetting{{name: "one core"}}
	if latLines > 0 {
		if latIn, err = generate(filepath.Join(dir, "latency"), latLines); err != nil {
			return err
		}
		share := newCPUShare(float64(defaultMemoryMiB) / fullVCPUMiB)
		defer share.close()
		settings = append(settings, cpuSetting{name: fmt.Sprintf("%d MiB (%.2f vCPU)", defaultMemoryMiB, share.share), share: share})
		remote, err := startRemoteReceiver()
		if err != nil {
			return err
		}
		defer remote.close()
		if lat, err = latencyTable(remote, latIn, settings, runs); err != nil {
			return err
		}
	}

	printReport(w, in, procs, e2e, profRun, split, per, levels)
	if lat != nil {
		printLatency(w, latIn, settings, lat, runs)
	}
	fmt.Fprintf(w, "\n%s\n(report took %s; generating the input %s)\n", strings.Repeat("-", 100), time.Since(started).Round(time.Second), in.genTime.Round(100*time.Millisecond))
	return nil
}

// generate writes lines generated ALB access log lines, gzipped at the default
// level as ELB delivers them, into dir.
func generate(dir string, lines int) (*input, error) {
	t0 := time.Now()
	g := loggen.New(loggen.ALB, seed, start)
	in := &input{key: g.Key("", 1), lines: lines, path: filepath.Join(dir, "alb.log.gz")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(in.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := gzip.NewWriter(bw)
	cw := &countingWriter{w: zw}
	buf := make([]byte, 0, 64<<10)
	for i := range lines {
		l := g.Line()
		if i < 10_000 {
			in.examples = append(in.examples, l)
		}
		buf = append(append(buf, l...), '\n')
		if len(buf) > 60<<10 {
			if _, err := cw.Write(buf); err != nil {
				return nil, err
			}
			buf = buf[:0]
		}
	}
	if _, err := cw.Write(buf); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	in.raw, in.gzipped, in.genTime = cw.n, st.Size(), time.Since(t0)
	return in, f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ship runs one child that ships in with GOMAXPROCS procs, and checks what the
// receiver got.
func (r *receiver) ship(in *input, procs int, cpuprofile string) (childResult, error) {
	var res childResult
	r.reset()
	exe, err := os.Executable()
	if err != nil {
		return res, err
	}
	args := []string{"-child", "-file", in.path, "-key", in.key, "-endpoint", r.url}
	if cpuprofile != "" {
		args = append(args, "-cpuprofile", cpuprofile)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return res, fmt.Errorf("child with GOMAXPROCS=%d: %w", procs, err)
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return res, fmt.Errorf("child output %q: %w", out, err)
	}
	if res.GOMAXPROCS != procs {
		return res, fmt.Errorf("child ran with GOMAXPROCS=%d, want %d", res.GOMAXPROCS, procs)
	}
	got := r.stats()
	switch {
	case got.err != nil:
		return res, fmt.Errorf("receiver: %w", got.err)
	case res.Records != int64(in.lines) || res.Lines != int64(in.lines):
		return res, fmt.Errorf("child shipped %d records of %d lines, want %d", res.Records, res.Lines, in.lines)
	case got.wireBytes != res.BytesSent || got.requests != res.Batches:
		return res, fmt.Errorf("receiver got %d bytes in %d requests; the child sent %d in %d", got.wireBytes, got.requests, res.BytesSent, res.Batches)
	case got.firstRecords == 0:
		return res, errors.New("receiver: the first request held no records")
	}
	return res, nil
}

func median(rs []childResult) childResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b childResult) int { return int(a.Wall - b.Wall) })
	return s[len(s)/2]
}

func printReport(w io.Writer, in *input, procs []int, e2e map[int][]childResult, profRun childResult, split []splitRow, per []perLineResult, levels []levelResult) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	rule := strings.Repeat("-", 100)
	p("\n%s\nelb-otel pipeline benchmark   %s %s/%s, %d CPUs (%s)\n", rule, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	p("input: %s generated ALB access log lines (loggen), %s uncompressed, %s gzip (%.0f B/line)\n%s\n",
		thousands(int64(in.lines)), mb(in.raw), mb(in.gzipped), float64(in.raw)/float64(in.lines), rule)

	p("\nEnd to end: S3-like stream (file) -> gunzip -> parse -> encode -> gzip -> POST to a loopback receiver\n")
	p("(discards; in the parent process), default batches of %d records; median of %d runs per row, each a child process\n\n", batchRecords, len(e2e[procs[0]]))
	p("  %-12s %12s %9s %9s %12s %10s %13s %11s\n", "GOMAXPROCS", "lines/s", "MB/s", "wall s", "CPU s", "µs CPU/ln", "wire B/rec", "peak RSS")
	var one childResult
	maxRSS := int64(0)
	for _, n := range procs {
		r := median(e2e[n])
		if n == 1 {
			one = r
		}
		for _, x := range e2e[n] {
			maxRSS = max(maxRSS, x.PeakRSSKiB)
		}
		label := strconv.Itoa(n)
		if n == runtime.NumCPU() && n > 1 {
			label += " (all)"
		}
		cpu := r.CPUUser + r.CPUSys
		p("  %-12s %12s %9.1f %9.2f %12.2f %10.2f %13.1f %8.1f MiB\n", label, thousands(int64(r.linesPerSec())), r.mbPerSec(),
			r.Wall.Seconds(), cpu, cpu*1e6/float64(r.Lines), r.wireBytesPerRecord(), float64(r.PeakRSSKiB)/1024)
	}
	p("\n  lines/s and MB/s count uncompressed input over the wall time of Ship; CPU s is the child's user+sys time\n")
	p("  during it. Peak RSS is the child's VmHWM after shipping the whole %s-line file.\n", thousands(int64(in.lines)))

	p("\nPer line, in process (testing.Benchmark over %s generated lines)\n\n", thousands(int64(len(in.examples))))
	p("  %-58s %10s %12s\n", "", "ns/line", "allocs/line")
	for _, r := range per {
		p("  %-58s %10.0f %12.2f\n", r.name, r.nsPerLine, r.allocsPerLine)
	}

	total := 0.0
	for _, r := range split {
		total += r.seconds
	}
	p("\nCPU profile of a GOMAXPROCS=1 run (pprof, %.2f s of samples over %s lines, %s lines/s with profiling)\n\n",
		total, thousands(profRun.Lines), thousands(int64(profRun.linesPerSec())))
	p("  %-52s %7s %11s\n", "stage (attributed by the innermost known frame)", "share", "µs/line")
	for _, r := range split {
		p("  %-52s %6.1f%% %11.3f\n", r.name, 100*r.seconds/total, r.seconds*1e6/float64(profRun.Lines))
	}

	// The setting in use is the one whose size matches the end-to-end wire size.
	inUse := 0
	for i, l := range levels {
		if math.Abs(l.bytesPerRec-one.wireBytesPerRecord()) < math.Abs(levels[inUse].bytesPerRec-one.wireBytesPerRecord()) {
			inUse = i
		}
	}
	// One core's lines/s with another setting: the run's CPU time per line, with
	// this setting's compression time in place of the one in use.
	oneCPU := (one.CPUUser + one.CPUSys) * 1e6 / float64(one.Lines)
	estimate := func(l levelResult) float64 { return 1e6 / (oneCPU - levels[inUse].microsPerRec + l.microsPerRec) }
	p("\nCompression of one %s-record batch of these lines (%.0f B/record of protobuf), best of 5\n\n", thousands(batchRecords), levels[0].rawBytesPerRc)
	p("  %-26s %11s %11s %22s\n", "", "wire B/rec", "µs CPU/rec", "est. lines/s, 1 core")
	for i, l := range levels {
		mark := ""
		if i == inUse {
			mark = "   <- in use (the wire size above)"
		}
		p("  %-26s %11.1f %11.2f %22s%s\n", l.name, l.bytesPerRec, l.microsPerRec, thousands(int64(estimate(l))), mark)
	}

	parse := per[0]
	p("\nTargets\n\n")
	check := func(what, got string, ok bool) {
		verdict := "met"
		if !ok {
			verdict = "NOT MET"
		}
		p("  %-52s %-26s %s\n", what, got, verdict)
	}
	check(fmt.Sprintf(">= %s lines/s end to end, GOMAXPROCS=1", thousands(targetLinesPerSecond)), thousands(int64(one.linesPerSec()))+" lines/s", one.linesPerSec() >= targetLinesPerSecond)
	check(fmt.Sprintf("peak RSS < %d MiB, %s-line file", targetRSSMiB, thousands(int64(in.lines))), fmt.Sprintf("%.1f MiB (worst run)", float64(maxRSS)/1024), maxRSS < targetRSSMiB*1024)
	check(fmt.Sprintf("<= %d wire bytes per record", targetWireBytes), fmt.Sprintf("%.1f B/record", one.wireBytesPerRecord()), one.wireBytesPerRecord() <= targetWireBytes)
	check(fmt.Sprintf("parse < 1 µs and <= %d allocs per line", targetParseAllocs), fmt.Sprintf("%.0f ns, %.2f allocs", parse.nsPerLine, parse.allocsPerLine),
		parse.nsPerLine < targetParseNs && parse.allocsPerLine <= targetParseAllocs)
	if one.linesPerSec() < targetLinesPerSecond {
		top := split[0]
		for _, r := range split {
			if r.seconds > top.seconds {
				top = r
			}
		}
		p("\n%s", wrap(fmt.Sprintf("Lines/s: the largest stage in the profile is %s, %.0f%% of the CPU time (%.2f µs/line).",
			top.name, 100*top.seconds/total, top.seconds*1e6/float64(profRun.Lines)), 98, "  "))
	}
	if one.wireBytesPerRecord() > targetWireBytes {
		compress := 0.0
		for _, r := range split {
			if strings.HasPrefix(r.name, "compress") {
				compress = r.seconds / total
			}
		}
		best := levels[0]
		for _, l := range levels {
			if strings.HasPrefix(l.name, "gzip") && l.bytesPerRec < best.bytesPerRec {
				best = l
			}
		}
		note := fmt.Sprintf("Wire bytes: compression takes %.0f%% of the CPU time in the profile, and no gzip level brings these records to %d B: the smallest is %s, %.1f B at %.1f µs/record (%s lines/s on one core).",
			100*compress, targetWireBytes, best.name, best.bytesPerRec, best.microsPerRec, thousands(int64(estimate(best))))
		for _, l := range levels {
			if strings.HasPrefix(l.name, "zstd") && l.bytesPerRec <= targetWireBytes {
				note += fmt.Sprintf(" %s gets %.1f B at %.1f µs/record, but OTLP/HTTP receivers need only accept gzip (the Collector's OTLP receiver also takes zstd).",
					strings.TrimSuffix(l.name, " (not gzip)"), l.bytesPerRec, l.microsPerRec)
				break
			}
		}
		note += " Otherwise the records must shrink: each carries the raw line as its body, and again as some 35 typed attributes."
		p("\n%s", wrap(note, 98, "  "))
	}
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or "".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// wrap breaks text into lines of at most width bytes, each starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
