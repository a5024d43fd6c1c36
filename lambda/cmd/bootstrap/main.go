// Command bootstrap is the elb-otel Lambda function: it ships ELB logs named
// by SQS, S3 or EventBridge events to an OTLP endpoint.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/elb-otel/elb-otel/lambda/internal/app"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	deps, err := app.New(context.Background(), app.Options{Logger: logger, Metrics: os.Stdout})
	if err != nil {
		logger.Error("configuration error; fix the function's environment", "error", err.Error())
		os.Exit(1)
	}
	lambda.StartWithOptions(deps.Handler.Invoke, lambda.WithEnableSIGTERM(func() {
		logger.Info("shutting down")
	}))
}
