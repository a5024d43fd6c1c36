package localaws

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The ECS and EC2 calls the metrics end-to-end test makes are few, so they go
// through two small signed callers (AWS JSON 1.1 and the EC2 query protocol)
// rather than two more SDK modules in the product's go.mod.

// CallJSON sends one AWS JSON 1.1 request (X-Amz-Target target, for example
// "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition") to moto,
// signed with SigV4 for service, and decodes the answer into out.
func (m *Moto) CallJSON(ctx context.Context, service, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	raw, err := m.send(ctx, req, service, body)
	if err != nil {
		return fmt.Errorf("localaws: %s: %w", target, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("localaws: %s: decode %.200s: %w", target, raw, err)
	}
	return nil
}

// CallQuery sends one EC2 query-protocol request (params holds Action and
// Version) to moto and decodes the XML answer into out.
func (m *Moto) CallQuery(ctx context.Context, service string, params url.Values, out any) error {
	body := []byte(params.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	raw, err := m.send(ctx, req, service, body)
	if err != nil {
		return fmt.Errorf("localaws: %s %s: %w", service, params.Get("Action"), err)
	}
	if err := xml.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("localaws: %s %s: decode %.200s: %w", service, params.Get("Action"), raw, err)
	}
	return nil
}

func (m *Moto) send(ctx context.Context, req *http.Request, service string, body []byte) ([]byte, error) {
	sum := sha256.Sum256(body)
	creds, err := m.Config().Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.500s", resp.StatusCode, raw)
	}
	return raw, nil
}

// Network is a VPC with one subnet per Availability Zone, made through
// moto's EC2 API for a stack that is given VPC and subnet ids (moto cannot
// delete a VPC that CloudFormation made, so the stacks here never make one).
type Network struct {
	VpcID     string
	SubnetIDs []string
}

// CreateNetwork creates a 10.20.0.0/16 VPC with a /24 subnet in each of
// zones.
func (m *Moto) CreateNetwork(ctx context.Context, zones ...string) (Network, error) {
	var vpc struct {
		ID string `xml:"vpc>vpcId"`
	}
	err := m.CallQuery(ctx, "ec2", url.Values{"Action": {"CreateVpc"}, "Version": {"2016-11-15"}, "CidrBlock": {"10.20.0.0/16"}}, &vpc)
	if err != nil {
		return Network{}, err
	}
	n := Network{VpcID: vpc.ID}
	for i, z := range zones {
		var subnet struct {
			ID string `xml:"subnet>subnetId"`
		}
		err := m.CallQuery(ctx, "ec2", url.Values{"Action": {"CreateSubnet"}, "Version": {"2016-11-15"}, "VpcId": {vpc.ID},
			"CidrBlock": {fmt.Sprintf("10.20.%d.0/24", i)}, "AvailabilityZone": {z}}, &subnet)
		if err != nil {
			return Network{}, err
		}
		n.SubnetIDs = append(n.SubnetIDs, subnet.ID)
	}
	if n.VpcID == "" || len(n.SubnetIDs) != len(zones) || slicesHasEmpty(n.SubnetIDs) {
		return Network{}, fmt.Errorf("localaws: moto's EC2 returned no ids: %+v", n)
	}
	return n, nil
}

func slicesHasEmpty(s []string) bool {
	for _, v := range s {
		if strings.TrimSpace(v) == "" {
			return true
		}
	}
	return false
}
