// Package racedetect tells whether the binary was built with the race
// detector. Allocation tests skip under it: it makes sync.Pool drop a quarter
// of what is put back, so allocation counts are not stable (`make test` runs
// the TestAllocs_ tests a second time without -race).
package racedetect
