//go:build !race

package otlpexport

// raceEnabled: see race_on_test.go.
const raceEnabled = false
