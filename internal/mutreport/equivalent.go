package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// An entry of the reviewed list: a surviving mutant that changes no observable
// behaviour, with the reason a reviewer accepted.
//
// One entry per line, four fields separated by tabs:
//
//	file	MUTATOR@offset	source line	reason
//
// file is slash-separated from the module root; offset is the 0-based byte
// offset of the mutated token in the source line with its indentation removed;
// the source line has its indentation removed and every run of blanks made one
// space. An entry matches a mutant by these, not by line number, so it survives
// edits elsewhere in the file. Blank lines and lines starting with # are
// comments.
type entry struct {
	key    key
	reason string
	lineNo int // in the list file, for messages
}

// key identifies a mutant independently of its line number.
type key struct {
	file    string
	mutator string
	offset  int
	text    string
}

func (k key) String() string {
	return fmt.Sprintf("%s\t%s@%d\t%s", k.file, k.mutator, k.offset, k.text)
}

// parseList reads the reviewed list. Every entry must carry a reason.
func parseList(r io.Reader) ([]entry, error) {
	var out []entry
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: want 4 tab-separated fields (file, MUTATOR@offset, source line, reason), got %d: %q", n, len(f), line)
		}
		mut, off, ok := strings.Cut(f[1], "@")
		offset, err := strconv.Atoi(off)
		if !ok || err != nil || offset < 0 || mut == "" {
			return nil, fmt.Errorf("line %d: want MUTATOR@offset in the second field, got %q", n, f[1])
		}
		reason := strings.TrimSpace(f[3])
		if reason == "" {
			return nil, fmt.Errorf("line %d: an entry needs a reason why the mutant is equivalent", n)
		}
		out = append(out, entry{key: key{file: f[0], mutator: mut, offset: offset, text: normalize(f[2])}, reason: reason, lineNo: n})
	}
	return out, sc.Err()
}

// normalize removes the indentation and trailing blanks of a source line and
// makes every inner run of blanks one space.
func normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// keyOf makes the key of a mutant at 1-based byte column col of src, a source
// line.
func keyOf(file, mutator string, src string, col int) key {
	trimmed := strings.TrimLeft(src, " \t")
	indent := len(src) - len(trimmed)
	offset := col - 1 - indent
	// The offset counts bytes in the normalized line: inner blank runs before
	// the token shrink to one.
	if offset >= 0 && offset <= len(trimmed) {
		offset = len(normalize(trimmed[:offset]+"x")) - 1
	}
	return key{file: file, mutator: mutator, offset: offset, text: normalize(src)}
}
