package logrecord

import (
	"crypto/sha256"
	"encoding/binary"
)

// uidGen makes the log.record.uid of the lines of one object: 128 bits, as 32
// lower-case hex digits.
//
// The object's identity (bucket, key, ETag) is hashed once with SHA-256 into two
// 64-bit keys; each line number is then mixed into each key with the SplitMix64
// finalizer. That finalizer is a bijection of uint64, and k0 XOR line is injective in
// the line number, so two lines of one object never share a uid; across objects, the
// keys differ as SHA-256 outputs do.
type uidGen struct{ k0, k1 uint64 }

func newUIDGen(bucket, key, etag string) uidGen {
	h := sha256.New()
	for i, s := range [...]string{bucket, key, etag} {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(s))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return uidGen{k0: binary.BigEndian.Uint64(sum[0:8]), k1: binary.BigEndian.Uint64(sum[8:16])}
}

// appendHex appends the 32 hex digits of line's uid to dst.
func (g uidGen) appendHex(dst []byte, line int64) []byte {
	hi := mix64(g.k0 ^ uint64(line))
	lo := mix64(g.k1 + uint64(line)*0x9e3779b97f4a7c15)
	dst = appendHex64(dst, hi)
	return appendHex64(dst, lo)
}

// mix64 is the SplitMix64 finalizer, a bijection of uint64.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

const hexDigits = "0123456789abcdef"

func appendHex64(dst []byte, v uint64) []byte {
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>uint(shift))&0xf])
	}
	return dst
}
