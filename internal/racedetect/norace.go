//go:build !race

package racedetect

// Enabled: built with -race.
const Enabled = false
