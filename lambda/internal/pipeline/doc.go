// Package pipeline streams one ELB log object (gunzip when the content is
// gzip, then line by line), converts each line into an OTLP log record and
// exports the records in batches bounded by count and bytes, several requests
// in flight at once (batching in batch.go, sending in send.go and window.go).
// Memory stays flat whatever the object's size; a deadline stops it at a batch
// boundary and says which line to continue from.
package pipeline
