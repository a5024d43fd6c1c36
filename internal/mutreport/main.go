// Command mutreport reads the results of gremlins (mutation testing, one run per
// package) and prints each package's test efficacy and mutant coverage, then the
// surviving mutants that are not on the reviewed list of equivalent mutants
// (equivalent.txt beside this file), each as a ready-to-review list entry.
//
// It exits 1 when a package's efficacy is under -min, when a survivor is not on
// the list, or when a list entry of a package it read no longer matches a
// survivor (the code changed: review the entry again, or a test now kills the
// mutant: remove it).
//
// Usage:
//
//	go run ./internal/mutreport [-list FILE] [-min 95] DIR=RESULT.json...
//
// DIR is the package directory, relative to the module root, that gremlins
// unleashed on, and RESULT.json its -o output.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	list := flag.String("list", "internal/mutreport/equivalent.txt", "the reviewed list of equivalent mutants")
	minEff := flag.Float64("min", 95, "the lowest test efficacy (%) a package may have")
	flag.Parse()
	ok, err := run(os.Stdout, *list, *minEff, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutreport:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// run reports on the results named by args and says whether every check held.
func run(w io.Writer, listPath string, minEff float64, args []string) (bool, error) {
	if len(args) == 0 {
		return false, fmt.Errorf("no results: pass DIR=RESULT.json for each package")
	}
	f, err := os.Open(listPath)
	if err != nil {
		return false, err
	}
	entries, err := parseList(f)
	f.Close()
	if err != nil {
		return false, fmt.Errorf("%s: %w", listPath, err)
	}
	var pkgs []pkgResult
	for _, a := range args {
		p, err := loadResult(a, os.ReadFile)
		if err != nil {
			return false, err
		}
		pkgs = append(pkgs, p)
	}
	rep := review(pkgs, entries, minEff)
	rep.print(w, listPath)
	return rep.ok(), nil
}
