package elblog

import "strings"

// tokenize appends the fields of line to dst and returns the extended slice.
//
// Fields are separated by one or more spaces. A field is:
//   - quoted: "..." up to the closing quote not escaped by a backslash; the value is
//     the text between the quotes, with \" and \\ unescaped;
//   - composite: a quoted segment followed by more text before the next unquoted
//     space, such as "h2","http/1.1"; the value is the field as logged;
//   - unquoted: everything up to the next space.
//
// Values are substrings of line except for quoted fields holding an escape. A
// trailing line terminator is ignored. ok is false when a quote is not closed; the
// last field then holds the rest of the line.
func tokenize(dst []string, line string) (fields []string, ok bool) {
	line = trimLine(line)
	n := len(line)
	i := 0
	for {
		for i < n && line[i] == ' ' {
			i++
		}
		if i >= n {
			return dst, true
		}
		if line[i] != '"' {
			j := strings.IndexByte(line[i:], ' ')
			if j == -1 {
				return append(dst, line[i:]), true
			}
			dst = append(dst, line[i:i+j])
			i += j + 1
			continue
		}
		end, escaped := closingQuote(line, i+1)
		if end == -1 {
			return append(dst, line[i+1:]), false
		}
		if end+1 == n || line[end+1] == ' ' {
			v := line[i+1 : end]
			if escaped {
				v = unescape(v)
			}
			dst = append(dst, v)
			i = end + 1
			continue
		}
		// Composite field: keep scanning, quote-aware, up to an unquoted space.
		j := end + 1
		for j < n && line[j] != ' ' {
			if line[j] == '"' {
				e, _ := closingQuote(line, j+1)
				if e == -1 {
					return append(dst, line[i:]), false
				}
				j = e
			}
			j++
		}
		dst = append(dst, line[i:j])
		i = j
	}
}

// closingQuote returns the index of the first quote at or after from that is not
// escaped by a backslash, or -1, and whether the quoted text holds a backslash.
func closingQuote(s string, from int) (end int, escaped bool) {
	for i := from; ; {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return -1, false
		}
		q := i + j
		// An odd run of backslashes before the quote escapes it.
		odd := false
		for k := q - 1; k >= from && s[k] == '\\'; k-- {
			odd = !odd
		}
		if !odd {
			return q, strings.IndexByte(s[from:q], '\\') >= 0
		}
		i = q + 1
	}
}

// unescape replaces \" with " and \\ with \ in s, left to right; other
// backslashes are kept.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
