package otlptest

import "fmt"

// Expected is a group of lines that must each arrive exactly once, with the
// resource attributes every one of their records must carry.
type Expected struct {
	Name     string         // names the group in problems, e.g. the S3 key
	Lines    []string       // the raw lines: record bodies
	Resource map[string]any // resource attributes each record must have
}

// maxProblems bounds the problems reported of each kind.
const maxProblems = 5

// CheckExactlyOnce compares the received records with the expected groups:
// every expected line arrives exactly once, under its group's resource, each
// record has a log.record.uid of its own, and nothing else arrived. It returns
// the problems found (at most a few of each kind), none when all is well.
func CheckExactlyOnce(recs []Record, want ...Expected) []string {
	var problems []string
	count := map[string]int{}
	add := func(kind string, format string, a ...any) {
		if count[kind]++; count[kind] <= maxProblems {
			problems = append(problems, fmt.Sprintf(format, a...))
		}
	}
	owner := map[string]*Expected{}
	lines := 0
	for i := range want {
		for _, l := range want[i].Lines {
			owner[l] = &want[i]
		}
		lines += len(want[i].Lines)
	}
	seen := map[string]int{}
	uids := map[any]bool{}
	for _, r := range recs {
		seen[r.Body]++
		uids[r.Attributes["log.record.uid"]] = true
		g := owner[r.Body]
		if g == nil {
			add("unexpected", "unexpected record: %.100s", r.Body)
			continue
		}
		for k, v := range g.Resource {
			if got := r.Resource[k]; got != v {
				add("resource", "record of %s: resource %s = %v, want %v", g.Name, k, got, v)
			}
		}
	}
	for l, g := range owner {
		if n := seen[l]; n != 1 {
			add("count", "line of %s arrived %d times, want once: %.80s", g.Name, n, l)
		}
	}
	if len(recs) != lines {
		problems = append(problems, fmt.Sprintf("received %d records, want %d", len(recs), lines))
	}
	if len(uids) != len(recs) {
		problems = append(problems, fmt.Sprintf("%d distinct log.record.uid values in %d records", len(uids), len(recs)))
	}
	return problems
}
