//go:build !race

package pipeline_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
