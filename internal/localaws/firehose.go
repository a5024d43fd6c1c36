package localaws

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// Firehose returns a Firehose client for moto.
func (m *Moto) Firehose() *firehose.Client { return firehose.NewFromConfig(m.Config()) }

// DeliveryStream is the delivery stream created for the template's
// AWS::KinesisFirehose::DeliveryStream, and the metric stream that feeds it
// in AWS.
type DeliveryStream struct {
	Logical     string
	Name        string
	Bucket      string
	Prefix      string
	ErrorPrefix string
	Compression string // the template's CompressionFormat (moto writes records uncompressed)
	// MetricStream is the logical ID of the AWS::CloudWatch::MetricStream
	// that puts into it, "" when none.
	MetricStream string
	// OutputFormat and Namespaces are the metric stream's, from the template.
	OutputFormat string
	Namespaces   []string
}

// adaptDeliveryStream creates, through moto's Firehose API, the delivery
// stream the template describes: moto's CloudFormation does not create
// delivery streams.
func (m *Moto) adaptDeliveryStream(ctx context.Context, d *Deployment, id string, r Resource) error {
	resolved, err := d.Stack.Resolve(ctx, r.Properties)
	if err != nil {
		return fmt.Errorf("delivery stream %s: %w", id, err)
	}
	raw, _ := json.Marshal(resolved)
	var p struct {
		DeliveryStreamName, DeliveryStreamType     string
		DeliveryStreamEncryptionConfigurationInput *struct{ KeyType string }
		ExtendedS3DestinationConfiguration         *struct {
			BucketARN, RoleARN, Prefix, ErrorOutputPrefix, CompressionFormat string
			BufferingHints                                                   *struct{ IntervalInSeconds, SizeInMBs int32 }
		}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("delivery stream %s: %s: %w", id, raw, err)
	}
	s3 := p.ExtendedS3DestinationConfiguration
	if s3 == nil {
		return fmt.Errorf("delivery stream %s: no ExtendedS3DestinationConfiguration, which is all localaws applies: %s", id, raw)
	}
	name := p.DeliveryStreamName
	if name == "" {
		name = d.Stack.Name + "-" + id
	}
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		DeliveryStreamType: fhtypes.DeliveryStreamType(p.DeliveryStreamType),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String(s3.BucketARN), RoleARN: aws.String(s3.RoleARN),
			Prefix: aws.String(s3.Prefix), ErrorOutputPrefix: aws.String(s3.ErrorOutputPrefix),
			CompressionFormat: fhtypes.CompressionFormat(s3.CompressionFormat),
		},
	}
	if h := s3.BufferingHints; h != nil {
		in.ExtendedS3DestinationConfiguration.BufferingHints = &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(h.IntervalInSeconds), SizeInMBs: aws.Int32(h.SizeInMBs)}
	}
	if e := p.DeliveryStreamEncryptionConfigurationInput; e != nil {
		in.DeliveryStreamEncryptionConfigurationInput = &fhtypes.DeliveryStreamEncryptionConfigurationInput{KeyType: fhtypes.KeyType(e.KeyType)}
	}
	fh := m.Firehose()
	if _, err := fh.CreateDeliveryStream(ctx, in); err != nil {
		return fmt.Errorf("delivery stream %s: create: %w", id, err)
	}
	out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("delivery stream %s: describe: %w", id, err)
	}
	desc := out.DeliveryStreamDescription
	if len(desc.Destinations) != 1 || desc.Destinations[0].ExtendedS3DestinationDescription == nil {
		return fmt.Errorf("delivery stream %s: moto describes %d destinations, want the one extended S3 destination", id, len(desc.Destinations))
	}
	got := desc.Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(got.BucketARN) != s3.BucketARN || aws.ToString(got.Prefix) != s3.Prefix {
		return fmt.Errorf("delivery stream %s: moto's destination %s/%s differs from the template's %s/%s", id,
			aws.ToString(got.BucketARN), aws.ToString(got.Prefix), s3.BucketARN, s3.Prefix)
	}
	d.Stack.Resources[id] = name
	ds := &DeliveryStream{Logical: id, Name: name, Bucket: strings.TrimPrefix(s3.BucketARN, "arn:aws:s3:::"),
		Prefix: s3.Prefix, ErrorPrefix: s3.ErrorOutputPrefix, Compression: s3.CompressionFormat}
	d.DeliveryStreams = append(d.DeliveryStreams, ds)
	d.add(id, r.Type, "", Applied, fmt.Sprintf(
		"moto's CloudFormation does not create delivery streams: created %s through moto's Firehose API from the template's properties "+
			"(extended S3 destination s3://%s/%s, errors to %s, %s) and read back; moto writes each PutRecordBatch at once as one object "+
			"(no buffering) and ignores CompressionFormat %s (its objects are not compressed; the shipper detects gzip by content either way)",
		name, ds.Bucket, ds.Prefix, ds.ErrorPrefix, compact(s3.BufferingHints), s3.CompressionFormat))
	d.short("delivery streams are not created: created through moto's Firehose API from the template")
	return nil
}

// checkMetricStream reads the metric stream in the template: moto has no
// metric streams.
func (d *Deployment) checkMetricStream(id string, r Resource) error {
	p := r.Properties
	if p["OutputFormat"] != "opentelemetry1.0" {
		return fmt.Errorf("metric stream %s: OutputFormat %v, want opentelemetry1.0", id, p["OutputFormat"])
	}
	target := compact(p["FirehoseArn"])
	var ds *DeliveryStream
	for _, s := range d.DeliveryStreams {
		if strings.Contains(target, `"`+s.Logical+`"`) || strings.Contains(target, "deliverystream/"+s.Name+`"`) {
			ds = s
		}
	}
	if ds == nil {
		return fmt.Errorf("metric stream %s: FirehoseArn %s names no delivery stream of the template", id, compact(p["FirehoseArn"]))
	}
	filters, _ := p["IncludeFilters"].([]any)
	for _, f := range filters {
		if f, ok := f.(map[string]any); ok {
			ds.Namespaces = append(ds.Namespaces, fmt.Sprint(f["Namespace"]))
		}
	}
	ds.MetricStream, ds.OutputFormat = id, fmt.Sprint(p["OutputFormat"])
	d.add(id, r.Type, "", Replaced, fmt.Sprintf(
		"moto has no metric streams (listed CREATE_COMPLETE, nothing made): checked in the template (OutputFormat %s, include filters %s, into %s); "+
			"the run writes records in its format, encoded with OpenTelemetry's proto types, into the delivery stream",
		ds.OutputFormat, strings.Join(ds.Namespaces, ", "), ds.Logical))
	d.short("no metric streams: the run puts records in the stream's format into the delivery stream")
	return nil
}
