package main

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

const source = `package p

func f(a, b int) bool {
	if a > 2 && b > 2 {
		return true
	}
	return a  >=  b
}
`

// shifted is source with two lines added above f: every line number moves.
const shifted = `package p

// f compares.
//
func f(a, b int) bool {
	if a > 2 && b > 2 {
		return true
	}
	return a  >=  b
}
`

// result is a gremlins output for source: the second > of line 4 and the >= of
// line 7 lived, the first > was killed.
const result = `{"go_module":"m","files":[{"file_name":"p.go","mutations":[
 {"type":"CONDITIONALS_BOUNDARY","status":"KILLED","line":4,"column":7},
 {"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":4,"column":16},
 {"type":"CONDITIONALS_NEGATION","status":"LIVED","line":7,"column":12},
 {"type":"ARITHMETIC_BASE","status":"NOT COVERED","line":7,"column":12},
 {"type":"INCREMENT_DECREMENT","status":"TIMED OUT","line":7,"column":12}]}],"elapsed_time":12.5}`

// resultShifted is the same run on shifted.
var resultShifted = strings.NewReplacer(`"line":4`, `"line":6`, `"line":7`, `"line":9`).Replace(result)

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := m[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

func TestKeyOf(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		src  string
		col  int
		want key
	}{
		"tab indent": {"\tif a > 2 && b > 2 {", 7, key{"f.go", "M", 5, "if a > 2 && b > 2 {"}},
		"second op":  {"\tif a > 2 && b > 2 {", 16, key{"f.go", "M", 14, "if a > 2 && b > 2 {"}},
		"space runs": {"\t\treturn a  >=  b", 13, key{"f.go", "M", 9, "return a >= b"}},
		"reindented": {"    return a >= b", 14, key{"f.go", "M", 9, "return a >= b"}},
		"first byte": {"x++", 2, key{"f.go", "M", 1, "x++"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := keyOf("f.go", "M", tc.src, tc.col); got != tc.want {
				t.Errorf("keyOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		list    string
		want    int
		wantErr string
	}{
		"entries and comments": {list: "# c\n\na/p.go\tM@3\tif  x > 1 {\tx is 0 or 2 here\nb/q.go\tN@0\tx++\tunused\n", want: 2},
		"no reason":            {list: "a/p.go\tM@3\tif x {\t \n", wantErr: "line 1: an entry needs a reason"},
		"three fields":         {list: "# c\na/p.go\tM@3\tif x {\n", wantErr: "line 2: want 4 tab-separated fields"},
		"no offset":            {list: "a/p.go\tM\tif x {\twhy\n", wantErr: "want MUTATOR@offset"},
		"bad offset":           {list: "a/p.go\tM@-1\tif x {\twhy\n", wantErr: "want MUTATOR@offset"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseList(strings.NewReader(tc.list))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("got %d entries, %v; want %d", len(got), err, tc.want)
			}
			if got[0].key.text != "if x > 1 {" || got[0].reason != "x is 0 or 2 here" || got[0].lineNo != 3 {
				t.Errorf("first entry = %+v", got[0])
			}
		})
	}
}

func TestLoadResult(t *testing.T) {
	t.Parallel()
	p, err := loadResult("pkg/p=out.json", files(map[string]string{"out.json": result, "pkg/p/p.go": source}))
	if err != nil {
		t.Fatal(err)
	}
	if p.killed != 1 || p.lived != 2 || p.notCovered != 1 || p.timedOut != 1 || p.elapsed != 12.5 {
		t.Errorf("counts = %+v", p)
	}
	if eff, cov := p.efficacy(), p.coverage(); eff != 100.0/3 || cov != 75 {
		t.Errorf("efficacy %.2f, coverage %.2f; want 33.33, 75", eff, cov)
	}
	want := []key{
		{"pkg/p/p.go", "CONDITIONALS_BOUNDARY", 14, "if a > 2 && b > 2 {"},
		{"pkg/p/p.go", "CONDITIONALS_NEGATION", 9, "return a >= b"},
	}
	for i, s := range p.survivors {
		if s.key != want[i] {
			t.Errorf("survivor %d = %+v, want %+v", i, s.key, want[i])
		}
	}
	for name, tc := range map[string]struct {
		arg     string
		files   map[string]string
		wantErr string
	}{
		"no dir":       {arg: "out.json", wantErr: "want DIR=RESULT.json"},
		"no results":   {arg: "pkg/p=none.json", wantErr: "none.json"},
		"no source":    {arg: "pkg/p=out.json", files: map[string]string{"out.json": result}, wantErr: "pkg/p/p.go"},
		"older source": {arg: "pkg/p=out.json", files: map[string]string{"out.json": result, "pkg/p/p.go": "package p\n"}, wantErr: "past its end"},
		"bad status":   {arg: "pkg/p=out.json", files: map[string]string{"out.json": strings.Replace(result, "KILLED", "EATEN", 1)}, wantErr: `unknown status "EATEN"`},
	} {
		if _, err := loadResult(tc.arg, files(tc.files)); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.wantErr)
		}
	}
}

// TestReview: the list matches survivors after lines moved; a survivor not on
// the list, an entry no survivor matches and a low efficacy each fail the run.
func TestReview(t *testing.T) {
	t.Parallel()
	both := "pkg/p/p.go\tCONDITIONALS_BOUNDARY@14\tif a > 2 && b > 2 {\tb is never 2 here\n" +
		"pkg/p/p.go\tCONDITIONALS_NEGATION@9\treturn a >= b\tcallers ignore it\n"
	tests := map[string]struct {
		list, src, res string
		minEff         float64
		wantOK         bool
		want           []string
	}{
		"all listed":    {list: both, src: source, res: result, wantOK: true, want: []string{"every survivor is a reviewed"}},
		"lines moved":   {list: both, src: shifted, res: resultShifted, wantOK: true},
		"one new":       {list: both[:strings.Index(both, "\n")+1], src: source, res: result, wantOK: false, want: []string{"1 surviving mutants are not on", "# pkg/p/p.go:7:12\npkg/p/p.go\tCONDITIONALS_NEGATION@9\treturn a >= b\tREASON"}},
		"line edited":   {list: both, src: strings.Replace(source, "b > 2", "b >  3", 1), res: result, wantOK: false, want: []string{"1 entries of", "list.txt:1: pkg/p/p.go"}},
		"low efficacy":  {list: both, src: source, res: result, minEff: 50, wantOK: false, want: []string{"efficacy 33.3% is under 50%"}},
		"other package": {list: both + "pkg/q/q.go\tM@0\tx++\tnot read\n", src: source, res: result, wantOK: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			entries, err := parseList(strings.NewReader(tc.list))
			if err != nil {
				t.Fatal(err)
			}
			p, err := loadResult("pkg/p=out.json", files(map[string]string{"out.json": tc.res, "pkg/p/p.go": tc.src}))
			if err != nil {
				t.Fatal(err)
			}
			rep := review([]pkgResult{p}, entries, tc.minEff)
			var out bytes.Buffer
			rep.print(&out, "list.txt")
			if rep.ok() != tc.wantOK {
				t.Errorf("ok = %v, want %v:\n%s", rep.ok(), tc.wantOK, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestReview_DuplicateLines: one entry stands for one mutant, so the same line
// twice in a file needs two entries.
func TestReview_DuplicateLines(t *testing.T) {
	t.Parallel()
	k := key{"pkg/p/p.go", "M", 0, "x++"}
	p := pkgResult{dir: "pkg/p", lived: 2, killed: 98, survivors: []mutant{{key: k}, {key: k}}}
	one := []entry{{key: k, reason: "r"}}
	if rep := review([]pkgResult{p}, one, 0); rep.ok() || len(rep.pkgs[0].fresh) != 1 {
		t.Errorf("one entry covered two mutants")
	}
	if rep := review([]pkgResult{p}, append(one, one...), 0); !rep.ok() {
		t.Errorf("two entries did not cover two mutants")
	}
}

func TestRun_Errors(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if _, err := run(&out, "testdata/none.txt", 95, []string{"a=b.json"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing list: err = %v", err)
	}
	if _, err := run(&out, "equivalent.txt", 95, nil); err == nil || !strings.Contains(err.Error(), "no results") {
		t.Errorf("no args: err = %v", err)
	}
}
