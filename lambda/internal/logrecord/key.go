package logrecord

import "strings"

// KeyInfo is what an S3 key of an ELB log file tells.
type KeyInfo struct {
	Account        string // AWS account ID, e.g. 123456789012
	Region         string // AWS Region, e.g. us-east-2
	LoadBalancerID string // app/<name>/<id>, net/<name>/<id>, or a Classic Load Balancer's name
	Connection     bool   // the file is an ALB connection log (its name starts with conn_log.)
}

// ParseKey reads an ELB log file's S3 key:
//
//	[prefix/]AWSLogs/[<org-id>/]<account>/elasticloadbalancing/<region>/yyyy/mm/dd/<file>
//
// where <file> is
//
//	[conn_log.]<account>_elasticloadbalancing_<region>_<lb>_<end-time>_...
//
// and <lb> is app.<name>.<id>, net.<name>.<id> or a Classic Load Balancer's name. The
// path wins over the file name for the account and the Region. Whatever the key does
// not tell is left empty.
func ParseKey(key string) KeyInfo {
	var ki KeyInfo
	if i := awsLogsIndex(key); i >= 0 {
		seg := strings.Split(key[i+len("AWSLogs/"):], "/")
		for j := 0; j+2 < len(seg) && j <= 1; j++ {
			// seg[j] is the account when seg[j+1] is elasticloadbalancing; j = 1
			// when an organization ID comes first.
			if seg[j+1] == "elasticloadbalancing" && seg[j] != "" {
				ki.Account, ki.Region = seg[j], seg[j+2]
				break
			}
		}
	}
	file := key[strings.LastIndexByte(key, '/')+1:]
	if strings.HasPrefix(file, "conn_log.") || strings.HasPrefix(file, "conn_log_") {
		ki.Connection = true
		file = file[len("conn_log."):]
	}
	const svc = "_elasticloadbalancing_"
	if i := strings.Index(file, svc); i > 0 {
		account := file[:i]
		region, rest, ok := strings.Cut(file[i+len(svc):], "_")
		if ok {
			lb, _, _ := strings.Cut(rest, "_")
			ki.LoadBalancerID = lbIDFromFileName(lb)
		}
		if ki.Account == "" {
			ki.Account = account
		}
		if ki.Region == "" {
			ki.Region = region
		}
	}
	return ki
}

// awsLogsIndex returns the index of the path segment "AWSLogs/" in key, or -1.
func awsLogsIndex(key string) int {
	for from := 0; ; {
		i := strings.Index(key[from:], "AWSLogs/")
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || key[i-1] == '/' {
			return i
		}
		from = i + 1
	}
}

// lbIDFromFileName turns the load balancer part of a log file name back into a
// resource ID: the file name writes app/<name>/<id> as app.<name>.<id> (load balancer
// names hold no dots), and a Classic Load Balancer's name as is.
func lbIDFromFileName(s string) string {
	if strings.HasPrefix(s, "app.") || strings.HasPrefix(s, "net.") {
		return strings.ReplaceAll(s, ".", "/")
	}
	return s
}
