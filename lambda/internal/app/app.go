// Package app wires the shipper from the environment: AWS clients, the OTLP
// exporter (with headers from Secrets Manager), the pipeline and the handler.
// The Lambda bootstrap and the elb-otel CLI both start from it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/elb-otel/elb-otel/lambda/internal/config"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// Deps are what App builds: kept apart so the CLI can reuse the pieces.
type Deps struct {
	S3  *s3.Client
	SQS *sqs.Client
	// Settings are the environment's settings. Settings.Bucket is not yet
	// enforced: issue 11 makes the handler and `elb-otel consume` refuse
	// messages that name another bucket.
	Settings config.Settings
	Exporter *otlpexport.Exporter
	Handler  *handler.Handler
}

// Options adjust New for the calling program.
type Options struct {
	Lookup  func(string) (string, bool) // default os.LookupEnv
	Logger  *slog.Logger
	Metrics io.Writer // EMF lines; nil for none
	// Exporter overrides parts of the environment's exporter config (CLI flags).
	Exporter func(*otlpexport.Config)
	// Settings overrides parts of the environment's settings (CLI flags); it
	// returns an error for a value it rejects.
	Settings func(*config.Settings) error
}

// New reads the environment, fetches the headers secret and builds the
// handler. Every problem is reported at once, naming the variable.
func New(ctx context.Context, opts Options) (*Deps, error) {
	lookup := opts.Lookup
	if lookup == nil {
		lookup = os.LookupEnv
	}
	settings, expCfg, err := readConfig(lookup, opts)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	d := &Deps{Settings: settings}
	d.S3 = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		// Local S3 APIs (moto, MinIO) need path-style addressing.
		if customEndpoint(lookup) {
			o.UsePathStyle = true
		}
	})
	d.SQS = sqs.NewFromConfig(awsCfg)
	if settings.HeadersSecretARN != "" {
		if err := addSecretHeaders(ctx, awsCfg, settings.HeadersSecretARN, &expCfg); err != nil {
			return nil, err
		}
	}
	d.Exporter, err = otlpexport.New(expCfg)
	if err != nil {
		return nil, err
	}
	d.Handler = newHandler(d, opts)
	return d, nil
}

// readConfig reads the settings and the exporter config from the
// environment, with the caller's overrides applied.
func readConfig(lookup func(string) (string, bool), opts Options) (config.Settings, otlpexport.Config, error) {
	settings, err := config.FromEnv(lookup)
	if err != nil {
		return settings, otlpexport.Config{}, err
	}
	if opts.Settings != nil {
		if err := opts.Settings(&settings); err != nil {
			return settings, otlpexport.Config{}, err
		}
	}
	expCfg, err := otlpexport.ConfigFromEnv(lookup)
	if opts.Exporter != nil {
		opts.Exporter(&expCfg)
		if expCfg.Endpoint != "" {
			// The caller supplied the endpoint: only that complaint is moot.
			err = without(err, otlpexport.ErrNoEndpoint)
		}
	}
	return settings, expCfg, err
}

// addSecretHeaders adds the headers held in the secret arn to expCfg.
func addSecretHeaders(ctx context.Context, awsCfg aws.Config, arn string, expCfg *otlpexport.Config) error {
	headers, err := secretHeaders(ctx, secretsmanager.NewFromConfig(awsCfg), arn)
	if err != nil {
		return err
	}
	if expCfg.Headers == nil {
		expCfg.Headers = map[string]string{}
	}
	for k, v := range headers {
		expCfg.Headers[k] = v
	}
	return nil
}

// newHandler builds the handler from d's clients, exporter and settings.
func newHandler(d *Deps, opts Options) *handler.Handler {
	settings := d.Settings
	shipper := pipeline.NewShipper(d.Exporter, pipeline.Options{
		Record:          logrecord.Options{ServiceName: settings.ServiceName, ResourceAttributes: settings.ResourceAttributes},
		MaxBatchRecords: settings.BatchRecords,
		MaxBatchBytes:   settings.BatchBytes,
		MaxInFlight:     settings.MaxInFlight,
	})
	h := &handler.Handler{
		S3:            d.S3,
		Shipper:       shipper,
		DeleteObjects: settings.DeleteObjects,
		Prefix:        settings.Prefix,
		Bucket:        settings.Bucket,
		Logger:        opts.Logger,
		Metrics:       opts.Metrics,
		// Metric-stream objects go through the same exporter, to /v1/metrics.
		MetricsPrefix:  settings.MetricsPrefix,
		MetricExporter: d.Exporter,
		MetricOptions: metricstream.ShipOptions{Options: metricstream.Options{
			ServiceName: settings.ServiceName, ResourceAttributes: settings.ResourceAttributes, PollingNames: settings.MetricsPollingNames,
		}},
	}
	if settings.RejectedSucceed {
		h.OnRejected = handler.RejectedSucceed
	}
	if settings.QueueURL != "" {
		h.Queue = d.SQS
		h.QueueURL = settings.QueueURL
	}
	return h
}

func customEndpoint(lookup func(string) (string, bool)) bool {
	for _, name := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if v, ok := lookup(name); ok && v != "" {
			return true
		}
	}
	return false
}

type secretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// secretHeaders reads the OTLP headers from the secret. The error never
// includes the secret's value.
func secretHeaders(ctx context.Context, sm secretGetter, arn string) (map[string]string, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("read OTLP headers secret %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("OTLP headers secret %s has no string value; store a JSON object such as {\"api-key\":\"...\"}", arn)
	}
	h, err := config.ParseHeaders(*out.SecretString)
	if err != nil {
		return nil, fmt.Errorf("OTLP headers secret %s: %w", arn, err)
	}
	return h, nil
}

// without drops the errors that match target from err (a single or a joined
// error) and keeps the rest.
func without(err, target error) error {
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		if errors.Is(err, target) {
			return nil
		}
		return err
	}
	var keep []error
	for _, e := range joined.Unwrap() {
		if !errors.Is(e, target) {
			keep = append(keep, e)
		}
	}
	return errors.Join(keep...)
}
