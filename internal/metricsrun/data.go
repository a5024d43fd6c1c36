package metricsrun

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/elb-otel/elb-otel/internal/metricscheck"
)

// DataMinutes is how far back the data goes: every window a run reads
// (period and a 10-minute delay behind now, for a few minutes) lies inside.
const DataMinutes = 40

func (r *Run) createSecret(ctx context.Context) (string, error) {
	out, err := r.Moto.SecretsManager().CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:         aws.String("elb-otel/otlp-headers"),
		SecretString: aws.String(fmt.Sprintf(`{"api-key":%q}`, HeaderValue)),
	})
	if err != nil {
		return "", fmt.Errorf("metricsrun: create the headers secret: %w", err)
	}
	return aws.ToString(out.ARN), nil
}

// putData puts the dataset, one datapoint a minute for DataMinutes minutes
// up to now, through PutMetricData with statistic sets, 20 datums a request.
// The SDK's request compression is off: moto cannot read a gzip body (the
// SDK compresses bodies over 10 KB).
func (r *Run) putData(ctx context.Context) error {
	t0 := time.Now()
	now := time.Now().UTC().Truncate(time.Minute)
	r.Data = metricscheck.Dataset{
		LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroup: "targetgroup/web/73e2d6bc24d8a067",
		Zones: []string{"us-east-1a", "us-east-1b"}, Start: now.Add(-DataMinutes * time.Minute), Minutes: DataMinutes + 1,
	}
	cw := cloudwatch.NewFromConfig(r.Moto.Config(), func(o *cloudwatch.Options) { o.DisableRequestCompression = true })
	points := r.Data.Datapoints()
	for i := 0; i < len(points); i += 20 {
		var data []cwtypes.MetricDatum
		for _, p := range points[i:min(i+20, len(points))] {
			data = append(data, datum(p))
		}
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(metricscheck.Namespace), MetricData: data})
		if err != nil {
			return fmt.Errorf("metricsrun: PutMetricData: %w", err)
		}
	}
	r.Took["put data"] = time.Since(t0)
	r.logf("CloudWatch (moto): %d one-minute datapoints put, %s to %s: %d metrics of one ALB, one target group, two zones, under every published dimension set; %.1fs",
		len(points), clock(r.Data.Start), clock(r.Data.Start.Add(time.Duration(r.Data.Minutes-1)*time.Minute)), len(metricscheck.Metrics()), time.Since(t0).Seconds())
	return nil
}

// datum is p as a MetricDatum, dimensions in name order (moto matches
// dimensions in the order given).
func datum(p metricscheck.Datapoint) cwtypes.MetricDatum {
	names := make([]string, 0, len(p.Series.Dims))
	for n := range p.Series.Dims {
		names = append(names, n)
	}
	sort.Strings(names)
	var dims []cwtypes.Dimension
	for _, n := range names {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(n), Value: aws.String(p.Series.Dims[n])})
	}
	return cwtypes.MetricDatum{
		MetricName: aws.String(p.Series.Metric),
		Dimensions: dims,
		Timestamp:  aws.Time(p.Time),
		StatisticValues: &cwtypes.StatisticSet{
			SampleCount: aws.Float64(p.SampleCount), Sum: aws.Float64(p.Sum),
			Minimum: aws.Float64(p.Minimum), Maximum: aws.Float64(p.Maximum),
		},
	}
}

func clock(t time.Time) string { return t.UTC().Format("15:04") }
