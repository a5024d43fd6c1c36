package elblog

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Int is an integer field. Valid is false when the field was "-".
type Int struct {
	Value int64
	Valid bool
}

// Float is a decimal field, such as a time in seconds. Valid is false when the
// field was "-". A -1 processing time (not dispatched, or timed out) is Valid with
// Value -1.
type Float struct {
	Value float64
	Valid bool
}

// Addr is an ip:port field. The zero Addr means the field was "-".
type Addr struct {
	IP   string // IPv4 or IPv6 address as logged (IPv6 is not bracketed)
	Port int    // 0 to 65535
}

// IsZero reports whether the address is absent.
func (a Addr) IsZero() bool { return a.IP == "" }

// List is a list field as logged. The zero List means the field was "-".
//
// ALB actions_executed is comma-separated ("authenticate,forward"); ALB
// target:port_list and target_status_code_list are space-separated; NLB
// alpn_client_preference_list is comma-separated quoted items ("h2","http/1.1").
type List struct {
	raw string
	sep byte
}

// String returns the list as logged, without the quotes around the whole field.
func (l List) String() string { return l.raw }

// IsZero reports whether the list is absent.
func (l List) IsZero() bool { return l.raw == "" }

// AppendItems appends the list's items to dst and returns the extended slice.
// Empty items are dropped; the quotes around a quoted item are removed.
func (l List) AppendItems(dst []string) []string {
	s := l.raw
	for s != "" {
		var item string
		if s[0] == '"' {
			end, _ := closingQuote(s, 1)
			if end == -1 {
				item, s = s[1:], ""
			} else {
				item, s = s[1:end], s[end+1:]
			}
			if i := strings.IndexByte(s, l.sep); i >= 0 {
				s = s[i+1:]
			} else {
				s = ""
			}
		} else if i := strings.IndexByte(s, l.sep); i >= 0 {
			item, s = s[:i], s[i+1:]
		} else {
			item, s = s, ""
		}
		if item != "" {
			dst = append(dst, item)
		}
	}
	return dst
}

// Items returns the list's items in a new slice (nil when the list is absent).
func (l List) Items() []string {
	if l.raw == "" {
		return nil
	}
	return l.AppendItems(nil)
}

// fieldParser converts the fields of one line, keeping the first error.
type fieldParser struct {
	format Format
	fields []string
	err    *ParseError
}

func (p *fieldParser) fail(i int, name, what string) {
	if p.err != nil {
		return
	}
	v := p.fields[i]
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	p.err = &ParseError{
		Format: p.format,
		Fields: len(p.fields),
		Want:   minFields(p.format),
		Reason: "field " + strconv.Itoa(i+1) + " (" + name + "): " + what + " " + strconv.Quote(v),
	}
}

// str returns field i, or "" when it is "-".
func (p *fieldParser) str(i int) string {
	if v := p.fields[i]; v != "-" {
		return v
	}
	return ""
}

// optStr returns field i when the line has it, else "".
func (p *fieldParser) optStr(i int) string {
	if i < len(p.fields) {
		return p.str(i)
	}
	return ""
}

func (p *fieldParser) int(i int, name string) Int {
	v := p.fields[i]
	if v == "-" {
		return Int{}
	}
	n, ok := parseInt(v)
	if !ok {
		p.fail(i, name, "invalid integer")
		return Int{}
	}
	return Int{Value: n, Valid: true}
}

func (p *fieldParser) float(i int, name string) Float {
	v := p.fields[i]
	if v == "-" {
		return Float{}
	}
	f, ok := parseFloat(v)
	if !ok {
		p.fail(i, name, "invalid number")
		return Float{}
	}
	return Float{Value: f, Valid: true}
}

func (p *fieldParser) time(i int, name string) time.Time {
	v := p.fields[i]
	if v == "-" {
		return time.Time{}
	}
	t, ok := parseTime(v)
	if !ok {
		p.fail(i, name, "invalid time")
	}
	return t
}

func (p *fieldParser) addr(i int, name string) Addr {
	v := p.fields[i]
	if v == "-" {
		return Addr{}
	}
	a, ok := parseAddr(v)
	if !ok {
		p.fail(i, name, "invalid ip:port")
	}
	return a
}

func (p *fieldParser) port(i int, name string) int {
	v := p.fields[i]
	if v == "-" {
		return 0
	}
	n, ok := parsePort(v)
	if !ok {
		p.fail(i, name, "invalid port")
	}
	return n
}

func (p *fieldParser) list(i int, sep byte) List {
	v := p.fields[i]
	if v == "-" || v == "" {
		return List{}
	}
	return List{raw: v, sep: sep}
}

// extra returns the fields after the first known ones, or nil.
func (p *fieldParser) extra(known int) []string {
	if len(p.fields) > known {
		return p.fields[known:]
	}
	return nil
}

// parseAddr splits ip:port on the last colon, so that unbracketed IPv6 addresses
// (2a02:a33c::1:50718) work; brackets around the IP are removed.
func parseAddr(s string) (Addr, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return Addr{}, false
	}
	port, ok := parsePort(s[i+1:])
	if !ok {
		return Addr{}, false
	}
	ip := s[:i]
	if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	return Addr{IP: ip, Port: port}, true
}

// parsePort parses a decimal port number, 0 to 65535.
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return n, true
}

// parseInt parses a decimal integer with an optional sign.
func parseInt(s string) (int64, bool) {
	neg := false
	d := s
	if d != "" && (d[0] == '-' || d[0] == '+') {
		neg = d[0] == '-'
		d = d[1:]
	}
	if d == "" {
		return 0, false
	}
	if len(d) > 18 {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	var n int64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseFloat parses a decimal number. The common form, [-]digits[.digits] with at
// most 15 significant digits, is converted exactly (an integer mantissa divided by
// an exact power of ten is correctly rounded); anything else goes to strconv.
func parseFloat(s string) (float64, bool) {
	d := s
	neg := false
	if d != "" && d[0] == '-' {
		neg = true
		d = d[1:]
	}
	var mant uint64
	digits, frac := 0, -1
	for i := 0; i < len(d); i++ {
		c := d[i]
		switch {
		case isDigit(c):
			mant = mant*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0:
			frac = i
		default:
			return slowFloat(s)
		}
	}
	if digits == 0 || digits > 15 {
		return slowFloat(s)
	}
	f := float64(mant)
	if frac >= 0 {
		f /= pow10[len(d)-frac-1]
	}
	if neg {
		f = -f
	}
	return f, true
}

func slowFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseTime parses the ISO 8601 / RFC 3339 forms ELB writes:
// yyyy-mm-ddThh:mm:ss, an optional fraction of up to 9 digits (more are truncated),
// and an optional zone: Z or ±hh:mm. No zone means UTC (the NLB form).
func parseTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if rest != "" && rest[0] == '.' {
		i := 1
		scale := 100_000_000
		for ; i < len(rest) && isDigit(rest[i]); i++ {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	unix := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(unix, int64(nsec)).UTC(), true
}

// digits parses a short, all-digit string.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given proleptic
// Gregorian date. Years are counted from March, so that the leap day is the last
// day of the (shifted) year; an era is 400 years, 146097 days.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	// y is at least -1 (January and February of year 0), so y+400 is positive
	// and the division rounds down.
	era := (y+400)/400 - 1
	yoe := y - era*400 // [0, 399]
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// result returns the first conversion error, or nil.
func (p *fieldParser) result() error {
	if p.err != nil {
		return p.err
	}
	return nil
}
