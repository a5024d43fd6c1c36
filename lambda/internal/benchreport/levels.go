package main

import (
	"bytes"
	"fmt"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
)

// levelResult is the wire size and the compression time of one batch at one
// setting.
type levelResult struct {
	name          string
	bytesPerRec   float64 // compressed
	microsPerRec  float64 // compression time
	rawBytesPerRc float64 // uncompressed
}

// compressionLevels encodes one batch of lines as the pipeline does and compresses
// it at every gzip level, and with zstd for comparison, taking the best of five
// runs: what a level would cost and save.
func compressionLevels(lines []string, batch int) ([]levelResult, error) {
	batch = min(batch, len(lines))
	c := logrecord.NewConverter(logrecord.Source{Bucket: "elb-otel-bench", Key: "123456789012_elasticloadbalancing_eu-west-1_app.shop-frontend.50dc6c495c0c9188_x.log.gz", ETag: "e"}, logrecord.Options{})
	buf := make([]byte, logrecord.RequestHeadroom)
	for i, l := range lines[:batch] {
		buf, _ = c.AppendProto(buf, int64(i+1), []byte(l))
	}
	req := c.FinishRequest(buf)
	n := float64(batch)

	var out []levelResult
	measure := func(name string, compress func() (int, error)) error {
		best := time.Duration(1<<63 - 1)
		size := 0
		for range 5 {
			t0 := time.Now()
			s, err := compress()
			if err != nil {
				return err
			}
			best, size = min(best, time.Since(t0)), s
		}
		out = append(out, levelResult{name: name, bytesPerRec: float64(size) / n, microsPerRec: float64(best.Nanoseconds()) / 1e3 / n, rawBytesPerRc: float64(len(req)) / n})
		return nil
	}
	var dst bytes.Buffer
	for level := gzip.BestSpeed; level <= gzip.BestCompression; level++ {
		zw, err := gzip.NewWriterLevel(&dst, level)
		if err != nil {
			return nil, err
		}
		err = measure(fmt.Sprintf("gzip level %d", level), func() (int, error) {
			dst.Reset()
			zw.Reset(&dst)
			if _, err := zw.Write(req); err != nil {
				return 0, err
			}
			err := zw.Close()
			return dst.Len(), err
		})
		if err != nil {
			return nil, err
		}
	}
	for _, l := range []zstd.EncoderLevel{zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(l), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		var zbuf []byte
		err = measure("zstd "+l.String()+" (not gzip)", func() (int, error) {
			zbuf = enc.EncodeAll(req, zbuf[:0])
			return len(zbuf), nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
