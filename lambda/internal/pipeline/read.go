package pipeline

import (
	"bufio"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// readers are the buffers and the gzip reader of one Ship call, pooled: an object
// of a few lines should not pay for allocating them.
type readers struct {
	in    *bufio.Reader // the object as read
	lines *bufio.Reader // its content, decompressed
	zr    *gzip.Reader
}

func (s *Shipper) getReaders(r io.Reader) *readers {
	rd, _ := s.readers.Get().(*readers)
	if rd == nil {
		rd = &readers{in: bufio.NewReaderSize(nil, 256<<10), lines: bufio.NewReaderSize(nil, 256<<10)}
	}
	rd.in.Reset(r)
	return rd
}

func (s *Shipper) putReaders(rd *readers) {
	rd.in.Reset(nil)
	rd.lines.Reset(nil)
	s.readers.Put(rd)
}

// decompress returns the content of the object, gunzipped when it starts with
// the gzip magic bytes (whatever the key's suffix says).
func (rd *readers) decompress() (io.Reader, error) {
	magic, err := rd.in.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if rd.zr == nil {
			rd.zr, err = gzip.NewReader(rd.in)
		} else {
			err = rd.zr.Reset(rd.in)
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return rd.zr, nil
	}
	return rd.in, nil
}
