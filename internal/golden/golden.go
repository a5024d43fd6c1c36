package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "update .golden.json files")

// Path returns the golden file of name: testdata/<name>.golden.json, with the "/" of
// a subtest name replaced by "_".
func Path(name string) string {
	return filepath.Join("testdata", strings.ReplaceAll(name, "/", "_")+".golden.json")
}

// Assert compares got with the golden file of name (see Path). With -update, it
// writes got to the file instead.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	AssertFile(t, Path(name), got)
}

// AssertFile is Assert for a golden file of any name and format, for example
// testdata/TestRender_default.golden.yaml.
func AssertFile(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden: %v (run the test with -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	line, g, w := firstDiff(got, want)
	t.Errorf("golden: output differs from %s at line %d:\n got: %s\nwant: %s\n(run the test with -update to accept the new output, then review the diff)", path, line, g, w)
}

// firstDiff returns the number and text of the first line where a and b differ.
func firstDiff(a, b []byte) (int, string, string) {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		} else {
			x = "<end of output>"
		}
		if i < len(bl) {
			y = bl[i]
		} else {
			y = "<end of file>"
		}
		if x != y {
			return i + 1, x, y
		}
	}
	return 0, "", ""
}
