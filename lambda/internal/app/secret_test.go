package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/mototest"
)

// No error and no log line echoes any part of the headers secret, whatever
// form it takes: each accepted form is parsed to the right header, and each
// malformed one is refused naming the entry by position only. The
// credential's fragments below must appear nowhere in the output.
func TestNew_NeverEchoesTheHeadersSecret(t *testing.T) {
	srv := mototest.Shared(t)
	srv.Env(t)
	const cred = "dXNlcjpzM2NyZXQ" // base64 of user:s3cret, without padding
	fragments := []string{cred, "s3cret", "Basic"}
	tests := map[string]struct {
		secret string
		want   string // the Authorization header; "" for a refused secret
	}{
		"JSON object":                 {secret: `{"Authorization":"Basic ` + cred + `="}`, want: "Basic " + cred + "="},
		"name=value pairs":            {secret: "Authorization=Basic%20" + cred + "%3D", want: "Basic " + cred + "="},
		"Name: value (colon form)":    {secret: "Authorization: Basic " + cred + "=", want: "Basic " + cred + "="},
		"colon form, two lines":       {secret: "X-Tenant: acme\nAuthorization: Basic " + cred + "=", want: "Basic " + cred + "="},
		"bare credential":             {secret: cred + "="},
		"bare credential with Basic":  {secret: "Basic " + cred + "="},
		"JSON with the header as key": {secret: `{"Authorization: Basic ` + cred + `=":"x"}`},
		"JSON value not a string":     {secret: `{"Basic` + cred + `":7}`},
		"JSON broken":                 {secret: `{"Authorization":"Basic ` + cred + `="`},
		"JSON value with a newline":   {secret: `{"Authorization":"Basic ` + cred + `=\n"}`},
		"pair with a bad escape":      {secret: "Authorization=Basic%ZZ" + cred},
		"pair without a value":        {secret: "Basic" + cred + "="},
		"colon form, one bad line":    {secret: "Authorization: Basic " + cred + "=\n" + cred},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			arn := createSecret(t, srv, tc.secret)
			deps, err := New(context.Background(), Options{
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
				Lookup: lookup(map[string]string{
					"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
					"ELB_OTEL_HEADERS_SECRET_ARN": arn,
					"AWS_ENDPOINT_URL":            srv.URL,
				}),
			})
			out := logs.String()
			if err != nil {
				out += "\n" + err.Error()
			} else {
				cfg := deps.Exporter.Config()
				out += "\n" + cfg.String()
				slog.New(slog.NewJSONHandler(&logs, nil)).Info("exporter", "config", cfg)
				out += "\n" + logs.String()
			}
			for _, f := range fragments {
				if strings.Contains(out, f) {
					t.Errorf("the output holds %q of the secret:\n%s", f, out)
				}
			}
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("a malformed secret was accepted: %d headers", len(deps.Exporter.Config().Headers))
			case tc.want != "" && err != nil:
				t.Errorf("an accepted form was refused: %v", err)
			case tc.want != "" && deps.Exporter.Config().Headers["Authorization"] != tc.want:
				t.Errorf("Authorization header is not the secret's (%d headers)", len(deps.Exporter.Config().Headers))
			}
		})
	}
}
