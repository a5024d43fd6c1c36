package lambdabuild

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildIsReproducible builds the handler twice into different
// directories: the bytes, and so the CDK asset hash, must be identical.
func TestBuildIsReproducible(t *testing.T) {
	var bins [][]byte
	for _, dir := range []string{t.TempDir(), t.TempDir()} {
		t.Setenv(OutputDirEnv, dir)
		out, err := build("arm64")
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "bootstrap"))
		if err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(filepath.Join(out, "bootstrap")); info.Mode()&0o111 == 0 {
			t.Errorf("bootstrap is not executable: %v", info.Mode())
		}
		if !bytes.HasPrefix(b, []byte("\x7fELF")) {
			t.Fatalf("bootstrap is not an ELF binary")
		}
		bins = append(bins, b)
	}
	if !bytes.Equal(bins[0], bins[1]) {
		t.Error("two builds of the same source differ: the asset hash would change on every synth")
	}
}

func TestHandlerRejectsUnknownArchitecture(t *testing.T) {
	_, err := Handler("ppc64")
	want := `lambdabuild: architecture must be arm64 or amd64, got "ppc64"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
