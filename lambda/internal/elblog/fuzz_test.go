package elblog

import (
	"errors"
	"strings"
	"testing"
)

// seedLines are every example line, for the fuzz corpora.
var seedLines = []string{
	albDocHTTP, albOTelHTTPS30, albDocH2Redirect, albDocWSS, albDocLambdaError, albVRLMalformed,
	albVRLIssue861, albVRL33Unquoted, albIPv6, nlbDoc21, nlbOTel22, nlbIPv6, clbHTTP, clbHTTPS,
	clbTCP, clbSSL, connSuccess, connFailed, connNoCert, connTrailing,
	`a "b \"c\" d" "e\\" "h2","http/1.1" ""`, `"unclosed`, "  \r\n",
}

// encodeFields writes fields back as a line that tokenize reads as the same fields:
// a field is written bare when it can be, else quoted with \ and " escaped.
func encodeFields(fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(' ')
		}
		if f != "" && !strings.ContainsAny(f, " \"\\\r\n") {
			b.WriteString(f)
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(f); j++ {
			if f[j] == '"' || f[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(f[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}

// FuzzTokenize checks that tokenize never panics and accounts for every field: a
// line without quotes or backslashes splits like strings.Split on spaces, and the
// fields of any line survive being written back and tokenized again.
func FuzzTokenize(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fields, ok := tokenize(nil, line)
		if !strings.ContainsAny(line, "\"\\") {
			var want []string
			for _, w := range strings.Split(trimLine(line), " ") {
				if w != "" {
					want = append(want, w)
				}
			}
			if !ok || strings.Join(fields, "\x00") != strings.Join(want, "\x00") || len(fields) != len(want) {
				t.Fatalf("tokenize(%q) = %q, %v, want %q", line, fields, ok, want)
			}
		}
		if !ok {
			return
		}
		again, ok := tokenize(nil, encodeFields(fields))
		if !ok || len(again) != len(fields) {
			t.Fatalf("round trip of %q: %q, %v, want %q", line, again, ok, fields)
		}
		for i := range fields {
			if again[i] != fields[i] {
				t.Fatalf("round trip of %q: field %d = %q, want %q", line, i, again[i], fields[i])
			}
		}
	})
}

// checkParsed checks the field accounting shared by every Parse function.
func checkParsed(t *testing.T, err error, format Format, fields, extra []string, known int) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Format != format || pe.Want != minFields(format) || pe.Error() == "" {
			t.Fatalf("error %#v, want a *ParseError for %v", err, format)
		}
		return
	}
	if len(fields) < minFields(format) {
		t.Fatalf("parsed %d fields, want at least %d", len(fields), minFields(format))
	}
	wantExtra := 0
	if len(fields) > known {
		wantExtra = len(fields) - known
	}
	if len(extra) != wantExtra {
		t.Fatalf("%d fields, %d extra, want %d extra", len(fields), len(extra), wantExtra)
	}
	for i := range extra {
		if extra[i] != fields[known+i] {
			t.Fatalf("extra[%d] = %q, want field %d %q", i, extra[i], known+i+1, fields[known+i])
		}
	}
}

func FuzzParseALBAccess(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var r ALBAccess
		err := ParseALBAccess(line, &r)
		checkParsed(t, err, FormatALBAccess, r.Fields, r.Extra, albAccessFields)
		_ = r.ActionsExecuted.Items()
		_ = r.TargetPortList.Items()
	})
}

func FuzzParseALBConnection(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var r ALBConnection
		err := ParseALBConnection(line, &r)
		checkParsed(t, err, FormatALBConnection, r.Fields, r.Extra, albConnectionFields)
	})
}

func FuzzParseNLBAccess(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var r NLBAccess
		err := ParseNLBAccess(line, &r)
		checkParsed(t, err, FormatNLBAccess, r.Fields, r.Extra, nlbAccessFields)
		_ = r.ALPNClientPreferenceList.Items()
	})
}

func FuzzParseCLBAccess(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var r CLBAccess
		err := ParseCLBAccess(line, &r)
		checkParsed(t, err, FormatCLBAccess, r.Fields, r.Extra, clbAccessFields)
	})
}

func FuzzDetect(f *testing.F) {
	for _, l := range seedLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if Detect(line) != FormatUnknown && IsControlLine(line) {
			t.Fatalf("Detect(%q) found a format in a control line", line)
		}
	})
}
