// Package golden compares test output with golden files under testdata/ and
// rewrites them when the tests run with -update:
//
//	go test ./lambda/internal/logrecord -update
//
// Review the diff of the rewritten files before committing them.
package golden
