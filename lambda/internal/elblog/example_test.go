package elblog_test

import (
	"fmt"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
)

func ExampleParseALBAccess() {
	line := `h2 2023-09-10T23:55:00.361692Z app/my-lb/6378464905b0814a 2a02:a33c:4538:1:bcf4:5264:e01c:f215:50718 10.0.0.7:80 0.000 0.003 0.000 401 401 29 805 "GET https://api.example.com:443/alerts?me=1 HTTP/2.0" "okhttp/4.11.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/4adf8897d8a3b7af "Root=1-64fe5754-33ecd7461b3736944677bb97" "api.example.com" "session-reused" 11 2023-09-10T23:55:00.358000Z "forward" "-" "-" "10.0.0.7:80" "401" "-" "-" TID_37acbe0641d1c34287fee137ef3a5286 "-" "-" "-" "a field from the future"`

	if elblog.Detect(line) != elblog.FormatALBAccess {
		fmt.Println("not an ALB access log line")
		return
	}
	var r elblog.ALBAccess // reuse r for every line of a file
	if err := elblog.ParseALBAccess(line, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Time.Format("2006-01-02 15:04:05.000000"), r.ELB)
	fmt.Println("client", r.Client.IP, r.Client.Port)
	fmt.Println(r.Request.Method, r.Request.Host, r.Request.Port, r.Request.Path, r.Request.Query, r.Request.Proto)
	fmt.Println("status", r.ELBStatusCode.Value, "target time", r.TargetProcessingTime.Value)
	fmt.Println("redirect url absent:", r.RedirectURL == "")
	fmt.Println("actions", r.ActionsExecuted.Items(), "conn", r.ConnTraceID)
	fmt.Printf("extra %q\n", r.Extra)

	err := elblog.ParseALBAccess("http 2018-07-02T22:23:00.186641Z app/my-lb/1", &r)
	fmt.Println(err)
	// Output:
	// 2023-09-10 23:55:00.361692 app/my-lb/6378464905b0814a
	// client 2a02:a33c:4538:1:bcf4:5264:e01c:f215 50718
	// GET api.example.com 443 /alerts me=1 HTTP/2.0
	// status 401 target time 0.003
	// redirect url absent: true
	// actions [forward] conn TID_37acbe0641d1c34287fee137ef3a5286
	// extra ["a field from the future"]
	// alb_access line has 3 fields, want at least 29
}
