package main

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// gremlinsOutput is the part of gremlins' -o JSON that mutreport reads.
type gremlinsOutput struct {
	Files []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
	Elapsed float64 `json:"elapsed_time"`
}

// The statuses gremlins writes.
const (
	statusKilled     = "KILLED"
	statusLived      = "LIVED"
	statusTimedOut   = "TIMED OUT"
	statusNotCovered = "NOT COVERED"
	statusNotViable  = "NOT VIABLE"
)

// pkgResult is one package's run.
type pkgResult struct {
	dir                                     string
	killed, lived, timedOut, notCovered, nv int
	elapsed                                 float64  // seconds
	survivors                               []mutant // LIVED
	uncovered                               []mutant // NOT COVERED
}

// mutant is one mutation, located.
type mutant struct {
	key  key
	file string // file:line:column, for people
}

// efficacy is gremlins' test efficacy: killed / (killed + lived), in percent.
func (p pkgResult) efficacy() float64 {
	if p.killed+p.lived == 0 {
		return 100
	}
	return 100 * float64(p.killed) / float64(p.killed+p.lived)
}

// coverage is gremlins' mutant coverage: the share of mutants some test runs.
func (p pkgResult) coverage() float64 {
	if n := p.killed + p.lived + p.notCovered; n > 0 {
		return 100 * float64(p.killed+p.lived) / float64(n)
	}
	return 100
}

// loadResult reads one DIR=RESULT.json argument. readFile reads files relative
// to the module root.
func loadResult(arg string, readFile func(string) ([]byte, error)) (pkgResult, error) {
	dir, file, ok := strings.Cut(arg, "=")
	if !ok || dir == "" || file == "" {
		return pkgResult{}, fmt.Errorf("want DIR=RESULT.json, got %q", arg)
	}
	raw, err := readFile(file)
	if err != nil {
		return pkgResult{}, err
	}
	var out gremlinsOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		return pkgResult{}, fmt.Errorf("%s: %w", file, err)
	}
	p := pkgResult{dir: path.Clean(dir), elapsed: out.Elapsed}
	sources := map[string][]string{}
	for _, f := range out.Files {
		name := path.Join(p.dir, f.Name) // gremlins names files relative to the directory it ran on
		for _, m := range f.Mutations {
			switch m.Status {
			case statusKilled:
				p.killed++
				continue
			case statusTimedOut:
				p.timedOut++
				continue
			case statusNotViable:
				p.nv++
				continue
			case statusLived, statusNotCovered:
			default:
				return pkgResult{}, fmt.Errorf("%s: unknown status %q", file, m.Status)
			}
			src, ok := sources[name]
			if !ok {
				b, err := readFile(name)
				if err != nil {
					return pkgResult{}, err
				}
				src = strings.Split(string(b), "\n")
				sources[name] = src
			}
			if m.Line < 1 || m.Line > len(src) {
				return pkgResult{}, fmt.Errorf("%s: line %d of %s is past its end: results of another version?", file, m.Line, name)
			}
			mu := mutant{key: keyOf(name, m.Type, src[m.Line-1], m.Column), file: fmt.Sprintf("%s:%d:%d", name, m.Line, m.Column)}
			if m.Status == statusLived {
				p.lived++
				p.survivors = append(p.survivors, mu)
			} else {
				p.notCovered++
				p.uncovered = append(p.uncovered, mu)
			}
		}
	}
	return p, nil
}
