//go:build race

package otlpexport

// raceEnabled: the race detector makes sync.Pool drop a quarter of what is put
// back, so allocation counts are not stable under it.
const raceEnabled = true
