package handler

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
)

// gone reports whether obj no longer exists, given the error its GetObject
// failed with. S3 answers a missing key with 404 NoSuchKey to a caller that
// may list the bucket, and with 403 AccessDenied to one that may not. The
// shipper's role may list only inside the log prefix (an s3:prefix condition,
// which a GetObject request does not carry), so in AWS it gets the 403: that
// is settled by listing the key itself, which the condition allows. The
// returned error is set only when the listing fails too.
func (h *Handler) gone(ctx context.Context, obj event.Object, getErr error) (bool, error) {
	var missing *s3types.NoSuchKey
	if errors.As(getErr, &missing) {
		return true, nil
	}
	var api smithy.APIError
	if !errors.As(getErr, &api) || api.ErrorCode() != "AccessDenied" {
		return false, nil
	}
	out, err := h.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(obj.Bucket), Prefix: aws.String(obj.Key), MaxKeys: aws.Int32(1)})
	if err != nil {
		return false, fmt.Errorf("listing it to tell a deleted object from a denied read failed too: %w", err)
	}
	for _, o := range out.Contents {
		if aws.ToString(o.Key) == obj.Key {
			return false, nil // there, and the read is denied
		}
	}
	return true, nil
}
