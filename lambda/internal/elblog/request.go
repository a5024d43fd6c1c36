package elblog

import "strings"

// Request is the request field of ALB and CLB access logs,
// "METHOD scheme://host:port/path?query PROTOCOL", logged as the client sent it.
//
// It is split from the outside in: the method runs up to the first space, the
// protocol starts after the last space, and the URL is everything in between, so a
// URL holding spaces survives. Parts logged as "-" are empty: a request the load
// balancer could not read is "- http://host:80- -" (URL only), and a CLB TCP or SSL
// listener logs "- - - " (all empty). The URL parts are split from URL without
// validation; Port is 0 when the URL has none or it is not a number.
type Request struct {
	Method string // e.g. GET
	URL    string // as logged, e.g. http://www.example.com:80/index.html?a=1
	Proto  string // e.g. HTTP/1.1
	Scheme string // URL scheme, e.g. http
	Host   string // URL host without brackets, e.g. www.example.com or ::1
	Port   int    // URL port, e.g. 80
	Path   string // URL path, e.g. /index.html
	Query  string // URL query without "?", e.g. a=1
}

// parseRequest splits the request field. It never fails.
func parseRequest(s string) Request {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	if s == "" || s == "-" {
		return Request{}
	}
	var r Request
	first := strings.IndexByte(s, ' ')
	if first < 0 {
		r.URL = s
	} else {
		r.Method = s[:first]
		last := strings.LastIndexByte(s, ' ')
		if last == first {
			r.URL = s[first+1:]
		} else {
			r.URL = s[first+1 : last]
			r.Proto = s[last+1:]
		}
	}
	if r.Method == "-" {
		r.Method = ""
	}
	if r.Proto == "-" {
		r.Proto = ""
	}
	if r.URL == "-" {
		r.URL = ""
	}
	r.splitURL()
	return r
}

// splitURL fills the URL parts from r.URL.
func (r *Request) splitURL() {
	u := r.URL
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u = u[:i]
	}
	if i := strings.Index(u, "://"); i != -1 && isScheme(u[:i]) {
		r.Scheme = u[:i]
		u = u[i+3:]
		end := strings.IndexAny(u, "/?")
		if end < 0 {
			end = len(u)
		}
		r.Host, r.Port = splitHostPort(u[:end])
		u = u[end:]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		r.Query = u[i+1:]
		u = u[:i]
	}
	r.Path = u
}

// isScheme reports whether s is a URL scheme: a letter, then letters, digits, +, - or .
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (isDigit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// splitHostPort splits a URL authority into host and port. User information before
// "@" is dropped, brackets around an IPv6 host are removed, and a port that is not a
// number is dropped (port 0).
func splitHostPort(a string) (host string, port int) {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		a = a[i+1:]
	}
	if a != "" && a[0] == '[' {
		end := strings.IndexByte(a, ']')
		if end == -1 {
			return a, 0
		}
		host = a[1:end]
		if rest, ok := strings.CutPrefix(a[end+1:], ":"); ok {
			if p, ok := parsePort(rest); ok {
				port = p
			}
		}
		return host, port
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 || strings.IndexByte(a[:i], ':') >= 0 {
		return a, 0 // no port, or an unbracketed IPv6 address
	}
	p, _ := parsePort(a[i+1:])
	return a[:i], p
}
