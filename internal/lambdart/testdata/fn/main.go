// Command fn is a test function for package lambdart: what it does depends
// on the event.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Echo    string           `json:"echo"`
	Fail    string           `json:"fail"`
	SleepMS int              `json:"sleep_ms"`
	Exit    bool             `json:"exit"`
	Records []map[string]any `json:"Records"`
}

type reply struct {
	Echo       string            `json:"echo"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadlineMs"`
	Env        map[string]string `json:"env"`
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch {
	case len(ev.Records) > 0:
		var sqsEvent events.SQSEvent
		_ = json.Unmarshal(raw, &sqsEvent)
		var resp events.SQSEventResponse
		for _, m := range sqsEvent.Records {
			switch m.Body {
			case "bad":
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			case "crash":
				return nil, errors.New("crash")
			}
		}
		return resp, nil
	case ev.Fail != "":
		return nil, errors.New(ev.Fail)
	case ev.SleepMS > 0:
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	case ev.Exit:
		os.Exit(3)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	env := map[string]string{}
	for _, k := range []string{"FOO", "HOME", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_LAMBDA_LOG_FORMAT", "_HANDLER"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	return reply{Echo: ev.Echo, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn, DeadlineMS: deadline.UnixMilli(), Env: env}, nil
}

func main() {
	if os.Getenv("CRASH_AT_INIT") != "" {
		os.Exit(2)
	}
	lambda.Start(handle)
}
