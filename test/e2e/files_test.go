//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/lambda/loggen"
)

// logFile is one log object the test puts into the bucket.
type logFile struct {
	Kind  loggen.Kind
	Key   string
	Lines []string
	Body  []byte // as uploaded: gzip for ALB, NLB and connection logs, plain for Classic
	// ResourceID is the load balancer ARN its records must carry.
	ResourceID string
}

func kindName(k loggen.Kind) string {
	switch k {
	case loggen.ALB:
		return "ALB access"
	case loggen.ALBConnection:
		return "ALB connection"
	case loggen.NLB:
		return "NLB access"
	case loggen.CLB:
		return "Classic access"
	}
	return "?"
}

// formatName is the aws.elb.log.format of a kind's records.
func formatName(k loggen.Kind) string {
	switch k {
	case loggen.ALB:
		return "alb_access"
	case loggen.ALBConnection:
		return "alb_connection"
	case loggen.NLB:
		return "nlb_access"
	case loggen.CLB:
		return "clb_access"
	}
	return "?"
}

// spec asks for one file.
type spec struct {
	kind  loggen.Kind
	lines int
}

// makeFiles generates the files of specs, each from its own seed and five
// minutes before the previous one of its kind, as ELB writes them: one object
// per load balancer node per 5 minutes, gzip except the Classic load
// balancer's plain .log.
func makeFiles(seed uint64, now time.Time, specs []spec) []logFile {
	var files []logFile
	perKind := map[loggen.Kind]int{}
	for i, s := range specs {
		n := perKind[s.kind]
		perKind[s.kind]++
		start := now.Truncate(5 * time.Minute).Add(-time.Duration(n+1) * 5 * time.Minute)
		g := loggen.New(s.kind, seed+uint64(i)*7919, start)
		var raw bytes.Buffer
		if err := g.Write(&raw, s.lines); err != nil {
			panic(err) // writes to memory do not fail
		}
		f := logFile{
			Kind:       s.kind,
			Key:        regionKey(g.Key("", int(seed)+i)),
			Lines:      strings.Split(strings.TrimSuffix(raw.String(), "\n"), "\n"),
			ResourceID: lbARN(g.LoadBalancer),
		}
		if s.kind == loggen.CLB {
			f.Body = raw.Bytes()
		} else {
			f.Body = gzipBytes(raw.Bytes())
		}
		files = append(files, f)
	}
	return files
}

// regionKey moves a loggen key (written for eu-west-1) to the Region the
// stack is deployed in, so the key is one ELB would write for a load
// balancer in that Region.
func regionKey(key string) string {
	return strings.ReplaceAll(key, "eu-west-1", localaws.Region)
}

// lbARN is the load balancer ARN the shipper derives from the key.
func lbARN(lb string) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", localaws.Region, localaws.Account, lb)
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b) //nolint:errcheck // to memory
	zw.Close()  //nolint:errcheck
	return out.Bytes()
}

// corruptGzip is a gzip object whose deflate stream is broken right after a
// valid header: every block header is the reserved block type, so no reader
// gets a single line out of it.
func corruptGzip(seed uint64, now time.Time) logFile {
	g := loggen.New(loggen.ALB, seed, now.Truncate(5*time.Minute))
	var raw bytes.Buffer
	g.Write(&raw, 500) //nolint:errcheck // to memory
	body := gzipBytes(raw.Bytes())
	for i := 10; i < len(body)-8; i++ {
		body[i] = 0xff
	}
	key := regionKey(g.Key("", 9999))
	return logFile{Kind: loggen.ALB, Key: strings.Replace(key, ".log.gz", "_corrupt.log.gz", 1), Body: body, ResourceID: lbARN(g.LoadBalancer)}
}

// testFileKey is the object ELB writes when access logging is switched on.
func testFileKey() string {
	return "AWSLogs/" + localaws.Account + "/ELBAccessLogTestFile"
}
