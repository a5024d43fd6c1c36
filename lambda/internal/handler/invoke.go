package handler

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
)

// InvokeResult answers a direct (non-SQS) invocation.
type InvokeResult struct {
	Status   string          `json:"status"`
	Objects  int             `json:"objects,omitempty"`
	Backfill *BackfillResult `json:"backfill,omitempty"`
}

// Invoke is the Lambda entry point. It accepts an SQS batch (the normal path),
// a direct S3 notification or EventBridge event, and a manual backfill
// request {"bucket": "...", "prefix": "..."}. An unknown shape is an error
// that names what was expected.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(payload, &probe); err == nil && len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs" {
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("decode SQS event: %w", err)
		}
		return h.HandleSQS(ctx, ev)
	}
	ctx, cancel, _ := h.budget(ctx)
	defer cancel()
	n, err := event.Decode(payload)
	if err != nil {
		return nil, fmt.Errorf("%w (want an SQS batch, an S3 notification, an EventBridge \"Object Created\" event or {\"bucket\":...,\"prefix\":...})", err)
	}
	if n.Kind == event.KindBackfill {
		res, err := h.Backfill(ctx, n.Backfill)
		return InvokeResult{Status: "backfill", Backfill: &res}, err
	}
	if err := h.handleNotification(ctx, n); err != nil {
		return nil, err
	}
	return InvokeResult{Status: "ok", Objects: len(n.Objects)}, nil
}
