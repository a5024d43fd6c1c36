package handler

// OnRejected says what happens to the message of an object some of whose
// records the endpoint rejected (an OTLP partial success). Those records
// exist nowhere but in the object, so the object is never deleted, whatever
// the choice.
type OnRejected int

const (
	// RejectedFail, the default, fails the message: SQS redelivers it, and
	// after the queue's maxReceiveCount it waits in the dead-letter queue
	// (its alarm fires), where a redrive ships the object again once the cause
	// is fixed. The accepted records are sent again too; their
	// log.record.uid lets the backend drop them.
	RejectedFail OnRejected = iota
	// RejectedSucceed acknowledges the message: the RejectedRecords alarm
	// fires, and the object stays in the bucket for a re-ship by hand
	// (`elb-otel ship s3://...`).
	RejectedSucceed
)
