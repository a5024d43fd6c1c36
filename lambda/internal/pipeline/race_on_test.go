//go:build race

package pipeline_test

// raceEnabled: the race detector makes sync.Pool drop a quarter of what is put
// back, so allocation figures are not stable under it.
const raceEnabled = true
