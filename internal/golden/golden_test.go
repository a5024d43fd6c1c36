package golden

import "testing"

func TestPath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"TestConvert":         "testdata/TestConvert.golden.json",
		"TestConvert/alb_one": "testdata/TestConvert_alb_one.golden.json",
	}
	for name, want := range tests {
		if got := Path(name); got != want {
			t.Errorf("Path(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestFirstDiff(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b    string
		line    int
		got, wt string
	}{
		"second line": {"a\nb\nc", "a\nx\nc", 2, "b", "x"},
		"longer":      {"a\nb", "a", 2, "b", "<end of file>"},
		"shorter":     {"a", "a\nb", 2, "<end of output>", "b"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			line, g, w := firstDiff([]byte(tc.a), []byte(tc.b))
			if line != tc.line || g != tc.got || w != tc.wt {
				t.Errorf("firstDiff = %d, %q, %q, want %d, %q, %q", line, g, w, tc.line, tc.got, tc.wt)
			}
		})
	}
}
