package elblog

import "strconv"

// Field counts: the fields each format is known to have, and the fewest a line
// may have (older lines lack the fields AWS appended later).
const (
	albAccessFields     = 33 // 29 until 2024, 30 with conn_trace_id, 33 with the transform fields
	albAccessMin        = 29
	albConnectionFields = 12
	albConnectionMin    = 12
	nlbAccessFields     = 22 // 21 before tls_connection_creation_time
	nlbAccessMin        = 21
	clbAccessFields     = 15
	clbAccessMin        = 15
)

// minFields returns the fewest fields a line of format f may have.
func minFields(f Format) int {
	switch f {
	case FormatALBAccess:
		return albAccessMin
	case FormatALBConnection:
		return albConnectionMin
	case FormatNLBAccess:
		return nlbAccessMin
	case FormatCLBAccess:
		return clbAccessMin
	}
	return 0
}

// ParseError reports a line that does not parse as its format.
type ParseError struct {
	Format Format // the format the line was parsed as
	Fields int    // fields found in the line
	Want   int    // fewest fields a line of Format has
	Reason string // what is wrong when the field count is not the problem, else ""
}

// Error returns, for example, "alb_access line has 3 fields, want at least 29" or
// `alb_access line: field 9 (elb_status_code): invalid integer "2x0"`.
func (e *ParseError) Error() string {
	if e.Reason != "" {
		return e.Format.String() + " line: " + e.Reason
	}
	return e.Format.String() + " line has " + strconv.Itoa(e.Fields) + " fields, want at least " + strconv.Itoa(e.Want)
}

// tokenizeFields tokenizes line into *dst, reusing its storage, and checks the field
// count against format f's minimum.
func tokenizeFields(dst *[]string, line string, f Format) (fieldParser, error) {
	fields, ok := tokenize((*dst)[:0], line)
	*dst = fields
	want := minFields(f)
	if !ok {
		return fieldParser{}, &ParseError{Format: f, Fields: len(fields), Want: want,
			Reason: "field " + strconv.Itoa(len(fields)) + " has no closing quote"}
	}
	if len(fields) < want {
		return fieldParser{}, &ParseError{Format: f, Fields: len(fields), Want: want}
	}
	return fieldParser{format: f, fields: fields}, nil
}
