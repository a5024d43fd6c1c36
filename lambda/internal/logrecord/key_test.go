package logrecord

import "testing"

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		key  string
		want KeyInfo
	}{
		"alb, aws doc example": {
			key:  "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2014/02/15/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "us-east-2", LoadBalancerID: "app/my-loadbalancer/1234567890abcdef"},
		},
		"alb with a prefix": {
			key:  "logs/prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2024/05/28/123456789012_elasticloadbalancing_eu-west-1_app.web.50dc6c495c0c9188_20240528T0815Z_10.0.1.2_abc.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "eu-west-1", LoadBalancerID: "app/web/50dc6c495c0c9188"},
		},
		"alb with an organization id": {
			key:  "AWSLogs/o-abc123def4/123456789012/elasticloadbalancing/us-east-1/2024/05/28/123456789012_elasticloadbalancing_us-east-1_app.web.50dc_20240528T0815Z_10.0.1.2_abc.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "us-east-1", LoadBalancerID: "app/web/50dc"},
		},
		"prefix and organization id": {
			key:  "p/q/AWSLogs/o-abc123def4/123456789012/elasticloadbalancing/us-east-1/2024/05/28/f.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "us-east-1"},
		},
		"nlb, no node ip": {
			key:  "AWSLogs/671290407336/elasticloadbalancing/us-east-2/2018/12/20/671290407336_elasticloadbalancing_us-east-2_net.my-network-loadbalancer.c6e77e28c25b2234_20181220T0300Z_3a7f9c2e.log.gz",
			want: KeyInfo{Account: "671290407336", Region: "us-east-2", LoadBalancerID: "net/my-network-loadbalancer/c6e77e28c25b2234"},
		},
		"clb, uncompressed": {
			key:  "AWSLogs/123456789012/elasticloadbalancing/us-west-2/2015/05/13/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20150513T2340Z_172.160.001.192_20sg8hgm.log",
			want: KeyInfo{Account: "123456789012", Region: "us-west-2", LoadBalancerID: "my-loadbalancer"},
		},
		"alb connection log": {
			key:  "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/14/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20240314T0930Z_10.0.0.5_abcd1234.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "us-east-2", LoadBalancerID: "app/my-loadbalancer/50dc6c495c0c9188", Connection: true},
		},
		"alb connection log, underscore form": {
			key:  "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/14/conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc_20240314T0930Z_10.0.0.5_abcd1234.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "us-east-2", LoadBalancerID: "app/my-loadbalancer/50dc", Connection: true},
		},
		"file name only": {
			key:  "123456789012_elasticloadbalancing_ap-south-1_net.nlb.abc_20260429T0745Z_x.log.gz",
			want: KeyInfo{Account: "123456789012", Region: "ap-south-1", LoadBalancerID: "net/nlb/abc"},
		},
		"AWSLogs inside a segment name is not the root": {
			key:  "myAWSLogs/1/elasticloadbalancing/r/f.log",
			want: KeyInfo{},
		},
		"AWSLogs later in the key": {
			key:  "xAWSLogs/AWSLogs/111122223333/elasticloadbalancing/sa-east-1/2024/01/01/f.log",
			want: KeyInfo{Account: "111122223333", Region: "sa-east-1"},
		},
		"not an elb key": {
			key:  "AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/01/x.json.gz",
			want: KeyInfo{},
		},
		"empty": {key: "", want: KeyInfo{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := ParseKey(tc.key); got != tc.want {
				t.Errorf("ParseKey(%q) =\n%+v, want\n%+v", tc.key, got, tc.want)
			}
		})
	}
}
