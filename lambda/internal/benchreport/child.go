package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// childResult is what a child reports about shipping the file once.
type childResult struct {
	GOMAXPROCS int           `json:"gomaxprocs"`
	Lines      int64         `json:"lines"`
	Records    int64         `json:"records"`
	Batches    int           `json:"batches"`
	BytesRead  int64         `json:"bytes_read"` // uncompressed
	BytesSent  int64         `json:"bytes_sent"` // wire bytes
	Wall       time.Duration `json:"wall_ns"`
	CPUUser    float64       `json:"cpu_user_s"`
	CPUSys     float64       `json:"cpu_sys_s"`
	PeakRSSKiB int64         `json:"peak_rss_kib"` // VmHWM
	NumGC      uint32        `json:"num_gc"`
}

func (r childResult) linesPerSec() float64 { return float64(r.Lines) / r.Wall.Seconds() }

func (r childResult) mbPerSec() float64 { return float64(r.BytesRead) / 1e6 / r.Wall.Seconds() }

func (r childResult) wireBytesPerRecord() float64 { return float64(r.BytesSent) / float64(r.Records) }

// runChild ships file to endpoint with the exporter and the pipeline the Lambda
// function uses, in their default configuration (but inFlight requests in
// flight, when not 0), and prints a childResult.
func runChild(file, key, endpoint, cpuprofile string, inFlight int) error {
	if file == "" || endpoint == "" {
		return errors.New("-child needs -file and -endpoint")
	}
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: endpoint})
	if err != nil {
		return err
	}
	s := pipeline.NewShipper(exp, pipeline.Options{MaxInFlight: inFlight})
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if cpuprofile != "" {
		pf, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}

	src := pipeline.Source{Source: logrecord.Source{Bucket: "elb-otel-bench", Key: key, ETag: "d41d8cd98f00b204e9800998ecf8427e"}}
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		return err
	}
	t0 := time.Now()
	res, err := s.Ship(context.Background(), src, f)
	wall := time.Since(t0)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		return err
	}
	if cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := childResult{
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Lines:      res.Lines,
		Records:    res.Records,
		Batches:    int(res.Batches),
		BytesRead:  res.BytesRead,
		BytesSent:  res.BytesSent,
		Wall:       wall,
		CPUUser:    seconds(after.Utime) - seconds(before.Utime),
		CPUSys:     seconds(after.Stime) - seconds(before.Stime),
		PeakRSSKiB: peakRSSKiB(after.Maxrss),
		NumGC:      ms.NumGC,
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func seconds(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

// peakRSSKiB returns the process's VmHWM from /proc/self/status, or else
// maxrss (getrusage's, in KiB on Linux).
func peakRSSKiB(maxrss int64) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				if n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return maxrss
}
