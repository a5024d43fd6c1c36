package metricstream

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/compress/gzip"
)

// PeekBytes is how much of an object Detect peeks: br must buffer at least
// this much (bufio.NewReaderSize).
const PeekBytes = 64 << 10

// isGzip reports whether b starts with the gzip magic bytes.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// Detect reports whether the object br reads is a metric-stream object, by
// content: it peeks at the first PeekBytes (gunzipping them when they start
// with the gzip magic bytes, as Firehose's GZIP objects do) and calls Sniff.
// It consumes nothing: br still reads the whole object afterwards.
func Detect(br *bufio.Reader) (bool, error) {
	raw, err := br.Peek(PeekBytes)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return false, err
	}
	if !isGzip(raw) {
		return Sniff(raw), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return false, nil // not readable as gzip: not a metric-stream object either
	}
	head := make([]byte, SniffBytes)
	n, _ := io.ReadFull(zr, head) // a prefix of the stream: a short read is expected
	return Sniff(head[:n]), nil
}

// Open returns the content of the object br reads: gunzipped when it starts
// with the gzip magic bytes, else br itself.
func Open(br *bufio.Reader) (io.Reader, error) {
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if !isGzip(magic) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	return zr, nil
}
