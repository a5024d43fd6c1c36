package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// report is the outcome of matching the survivors with the reviewed list.
type report struct {
	minEff  float64
	pkgs    []pkgReview
	stale   []entry // entries of the packages read that match no survivor
	entries int
}

type pkgReview struct {
	pkgResult
	equivalent int      // survivors on the list
	fresh      []mutant // survivors not on the list
}

// review matches each package's survivors with the list entries of its
// directory. An entry stands for one mutant: two survivors with the same key
// (the same line twice in a file) need two entries.
func review(pkgs []pkgResult, entries []entry, minEff float64) report {
	rep := report{minEff: minEff, entries: len(entries)}
	used := make([]bool, len(entries))
	for _, p := range pkgs {
		pr := pkgReview{pkgResult: p}
		for _, s := range p.survivors {
			i := findEntry(entries, used, s.key)
			if i < 0 {
				pr.fresh = append(pr.fresh, s)
				continue
			}
			used[i] = true
			pr.equivalent++
		}
		rep.pkgs = append(rep.pkgs, pr)
	}
	for i, e := range entries {
		if !used[i] && readPackage(pkgs, e.key.file) {
			rep.stale = append(rep.stale, e)
		}
	}
	return rep
}

func findEntry(entries []entry, used []bool, k key) int {
	for i, e := range entries {
		if !used[i] && e.key == k {
			return i
		}
	}
	return -1
}

// readPackage reports whether file is under a directory a result covers
// (gremlins mutates the packages below the directory too).
func readPackage(pkgs []pkgResult, file string) bool {
	for _, p := range pkgs {
		if strings.HasPrefix(file, p.dir+"/") {
			return true
		}
	}
	return false
}

// ok reports whether every package reaches the lowest efficacy, every survivor
// is on the list and every entry of the packages read still matches.
func (r report) ok() bool {
	for _, p := range r.pkgs {
		if p.efficacy() < r.minEff || len(p.fresh) > 0 {
			return false
		}
	}
	return len(r.stale) == 0
}

func (r report) print(w io.Writer, listPath string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tkilled\tlived\tequivalent\tnew\ttimed out\tnot covered\tefficacy\tcoverage\ttime\t")
	for _, p := range r.pkgs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f%%\t%.1f%%\t%.0fs\t\n", p.dir, p.killed, p.lived, p.equivalent,
			len(p.fresh), p.timedOut, p.notCovered, p.efficacy(), p.coverage(), p.elapsed)
	}
	tw.Flush()
	for _, p := range r.pkgs {
		if eff := p.efficacy(); eff < r.minEff {
			fmt.Fprintf(w, "\n%s: efficacy %.1f%% is under %.0f%%\n", p.dir, eff, r.minEff)
		}
	}
	var fresh []mutant
	for _, p := range r.pkgs {
		fresh = append(fresh, p.fresh...)
	}
	if len(fresh) > 0 {
		fmt.Fprintf(w, "\n%d surviving mutants are not on %s. Kill each with a test of behaviour, or,\n"+
			"when it changes nothing observable, add its entry with the reason (replace REASON):\n", len(fresh), listPath)
		for _, m := range fresh {
			fmt.Fprintf(w, "# %s\n%s\tREASON\n", m.file, m.key)
		}
	}
	if len(r.stale) > 0 {
		fmt.Fprintf(w, "\n%d entries of %s match no surviving mutant (a test kills it now, or its line changed):\n"+
			"remove them, or review them again against the new line\n", len(r.stale), listPath)
		for _, e := range r.stale {
			fmt.Fprintf(w, "%s:%d: %s\n", listPath, e.lineNo, e.key)
		}
	}
	if r.ok() {
		fmt.Fprintf(w, "\nmutate: every package reaches %.0f%% and every survivor is a reviewed equivalent mutant\n", r.minEff)
	}
}
