package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// What moto 5.2's IAM-like access control checks (moto/iam/access_control.py,
// moto/core/authorization.py), and so what a run with EnforceIAM proves:
//   - every call is authenticated: the signature, and the keys of an IAM user
//     or of a role session from its STS;
//   - the action, named by the API operation ("sqs:SendMessageBatch", not the
//     "sqs:SendMessage" AWS authorizes it with), against the Action of the
//     caller's identity policies (inline and attached), Deny first;
//   - the resource, for S3 (bucket or bucket/key ARN) and SQS (queue ARN)
//     only; other services, Secrets Manager among them, present the resource
//     "*", which a statement naming an ARN never matches;
//   - the role's trust policy on sts:AssumeRole, for AWS principals only.
//
// It does not check conditions (StringLike, s3:prefix: ignored; StringEquals
// passes when the request has no value for the key), resource policies
// (bucket and queue policies), permission boundaries, SCPs, or the implicit
// s3:ListBucket check behind S3's 403-instead-of-404 for a missing key.

// adminSetupCalls is how many calls moto lets through unchecked: those of
// createAdmin.
const adminSetupCalls = 3

// AdminUser is the IAM user the test harness acts as (CDK CLI, uploads,
// queue inspection) when IAM is enforced. Its policy allows everything.
const AdminUser = "localaws-admin"

// AdminARN is AdminUser's ARN.
var AdminARN = "arn:aws:iam::" + Account + ":user/" + AdminUser

// EquivalentsPolicy is the name of the inline policy PutEquivalents puts on a
// role: the statements moto needs to allow what the role's own statements
// allow in AWS.
const EquivalentsPolicy = "localaws-moto-equivalents"

// createAdmin makes the administrator in exactly adminSetupCalls unchecked
// calls, and switches this Moto's clients and EnvVars to its keys.
func (m *Moto) createAdmin(ctx context.Context) error {
	c := iam.NewFromConfig(m.Config())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(AdminUser)}); err != nil {
		return fmt.Errorf("create user %s: %w", AdminUser, err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(AdminUser), PolicyName: aws.String("admin"), PolicyDocument: aws.String(doc)}); err != nil {
		return fmt.Errorf("put %s's policy: %w", AdminUser, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(AdminUser)})
	if err != nil {
		return fmt.Errorf("create %s's access key: %w", AdminUser, err)
	}
	m.creds = aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey), Source: "localaws-admin"}
	// The first checked call: fails unless enforcement is on and the keys work.
	if _, err := m.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		return fmt.Errorf("call as %s: %w", AdminUser, err)
	}
	return nil
}

// Strings is a policy element that is one string or a list of them.
type Strings []string

// UnmarshalJSON accepts "a" and ["a", "b"].
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Statement is one statement of an identity policy.
type Statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Action    Strings        `json:"Action"`
	Resource  Strings        `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

func (s Statement) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// PolicyDocument is an identity policy.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// RolePolicy is one inline policy of a role.
type RolePolicy struct {
	Name     string
	Document PolicyDocument
}

// RolePolicies returns the role's inline policies, EquivalentsPolicy left out.
func (m *Moto) RolePolicies(ctx context.Context, role string) ([]RolePolicy, error) {
	c := m.IAM()
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		return nil, fmt.Errorf("list %s's policies: %w", role, err)
	}
	var out []RolePolicy
	for _, name := range names.PolicyNames {
		if name == EquivalentsPolicy {
			continue
		}
		p, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("get %s's policy %s: %w", role, name, err)
		}
		doc, err := decodeDocument(aws.ToString(p.PolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("%s's policy %s: %w", role, name, err)
		}
		out = append(out, RolePolicy{Name: name, Document: doc})
	}
	return out, nil
}

// decodeDocument reads a policy document as IAM returns it (URL-encoded, as
// AWS documents, or plain JSON).
func decodeDocument(raw string) (PolicyDocument, error) {
	if strings.HasPrefix(raw, "%7B") {
		if u, err := url.QueryUnescape(raw); err == nil {
			raw = u
		}
	}
	var doc PolicyDocument
	err := json.Unmarshal([]byte(raw), &doc)
	return doc, err
}

// PutRolePolicy replaces the role's inline policy p.Name with p.Document.
func (m *Moto) PutRolePolicy(ctx context.Context, role string, p RolePolicy) error {
	b, err := json.Marshal(p.Document)
	if err != nil {
		return err
	}
	_, err = m.IAM().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(p.Name), PolicyDocument: aws.String(string(b))})
	if err != nil {
		return fmt.Errorf("put %s's policy %s: %w", role, p.Name, err)
	}
	return nil
}

// batchActions are the SQS batch operations AWS authorizes with the single
// operation's action; moto checks them under their own name.
var batchActions = map[string]string{
	"sqs:SendMessage":             "sqs:SendMessageBatch",
	"sqs:DeleteMessage":           "sqs:DeleteMessageBatch",
	"sqs:ChangeMessageVisibility": "sqs:ChangeMessageVisibilityBatch",
}

// resourcelessServices are services whose moto API checks every action
// against the resource "*": a statement naming an ARN never matches there.
var resourcelessServices = []string{"secretsmanager"}

// Equivalents returns the statements moto needs, in addition to stmts, to
// allow what stmts allow in AWS, and no more: for each Allow statement, its
// SQS single actions under their batch names (same resources), and its
// actions on resourceless services on "*" (moto cannot tell resources there:
// the caller must check those resources another way). They derive from
// stmts alone, so a statement removed from the role takes its equivalents
// with it.
func Equivalents(stmts []Statement) []Statement {
	var out []Statement
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		var batch, anywhere []string
		for _, a := range s.Action {
			if b, ok := batchActions[a]; ok {
				batch = append(batch, b)
			}
			service, _, _ := strings.Cut(a, ":")
			for _, r := range resourcelessServices {
				if service == r && !contains(s.Resource, "*") {
					anywhere = append(anywhere, a)
				}
			}
		}
		if len(batch) > 0 {
			sort.Strings(batch)
			out = append(out, Statement{Effect: "Allow", Action: batch, Resource: s.Resource, Condition: s.Condition})
		}
		if len(anywhere) > 0 {
			out = append(out, Statement{Effect: "Allow", Action: anywhere, Resource: Strings{"*"}, Condition: s.Condition})
		}
	}
	return out
}

// PutEquivalents puts the Equivalents of the role's inline policies on it as
// EquivalentsPolicy (or deletes that policy when there are none), and
// returns them.
func (m *Moto) PutEquivalents(ctx context.Context, role string) ([]Statement, error) {
	policies, err := m.RolePolicies(ctx, role)
	if err != nil {
		return nil, err
	}
	var all []Statement
	for _, p := range policies {
		all = append(all, p.Document.Statement...)
	}
	eq := Equivalents(all)
	if len(eq) == 0 {
		_, err := m.IAM().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(EquivalentsPolicy)})
		if err != nil && !strings.Contains(err.Error(), "NoSuchEntity") {
			return nil, fmt.Errorf("delete %s's %s: %w", role, EquivalentsPolicy, err)
		}
		return nil, nil
	}
	return eq, m.PutRolePolicy(ctx, role, RolePolicy{Name: EquivalentsPolicy, Document: PolicyDocument{Version: "2012-10-17", Statement: eq}})
}

// AssumeRole returns credentials of a session of role, from moto's STS. In
// AWS a service (Lambda) assumes the role; here the administrator does, so
// its ARN is added to the AWS principals of the trust policy's sts:AssumeRole
// statements first. The role's permissions are not touched.
func (m *Moto) AssumeRole(ctx context.Context, role, session string) (aws.Credentials, error) {
	c := m.IAM()
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("get role %s: %w", role, err)
	}
	raw := aws.ToString(out.Role.AssumeRolePolicyDocument)
	if u, err := url.QueryUnescape(raw); err == nil && strings.HasPrefix(raw, "%7B") {
		raw = u
	}
	var trust struct {
		Version   string           `json:"Version"`
		Statement []map[string]any `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(raw), &trust); err != nil {
		return aws.Credentials{}, fmt.Errorf("role %s's trust policy %q: %w", role, raw, err)
	}
	for _, s := range trust.Statement {
		if !strings.Contains(fmt.Sprint(s["Action"]), "sts:AssumeRole") {
			continue
		}
		principal, _ := s["Principal"].(map[string]any)
		if principal == nil {
			principal = map[string]any{}
		}
		// moto compares the caller with Principal.AWS, and fails on a
		// statement without one: the administrator joins the same statement.
		principal["AWS"] = AdminARN
		s["Principal"] = principal
	}
	doc, _ := json.Marshal(trust)
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: out.Role.RoleName, PolicyDocument: aws.String(string(doc))}); err != nil {
		return aws.Credentials{}, fmt.Errorf("role %s's trust policy: %w", role, err)
	}
	as, err := m.STS().AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: out.Role.Arn, RoleSessionName: aws.String(session)})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", aws.ToString(out.Role.Arn), err)
	}
	cr := as.Credentials
	return aws.Credentials{
		AccessKeyID: aws.ToString(cr.AccessKeyId), SecretAccessKey: aws.ToString(cr.SecretAccessKey),
		SessionToken: aws.ToString(cr.SessionToken), Source: "localaws-assumed:" + role,
		CanExpire: cr.Expiration != nil, Expires: aws.ToTime(cr.Expiration),
	}, nil
}

// ConfigAs is Config with creds instead of the administrator's.
func (m *Moto) ConfigAs(creds aws.Credentials) aws.Config { return m.configFor(creds) }

// EnvVarsAs is EnvVars with creds (and their session token) instead of the
// administrator's.
func (m *Moto) EnvVarsAs(creds aws.Credentials) map[string]string {
	env := m.EnvVars()
	env["AWS_ACCESS_KEY_ID"] = creds.AccessKeyID
	env["AWS_SECRET_ACCESS_KEY"] = creds.SecretAccessKey
	if creds.SessionToken != "" {
		env["AWS_SESSION_TOKEN"] = creds.SessionToken
	}
	return env
}

// PauseIAM switches moto's IAM checks off until resume is called (moto's
// /moto-api/reset-auth). For what moto cannot check at all: it verifies an
// S3 signature over the query as its web framework decoded it, so a query
// value with an escaped "/" (a ListObjectsV2 prefix "AWSLogs%2F...") fails
// SignatureDoesNotMatch whoever signs. Nothing else may run meanwhile.
func (m *Moto) PauseIAM(ctx context.Context) (resume func() error, err error) {
	if err := m.resetAuth(ctx, "inf"); err != nil {
		return nil, err
	}
	return func() error { return m.resetAuth(context.WithoutCancel(ctx), "0") }, nil
}

// WithoutIAM runs f with IAM checks paused when they are enforced. moto
// cannot verify the signature of any Lambda API call (SignatureDoesNotMatch
// for every signer, botocore's too), so the harness's own Lambda calls
// (reading the deployed function's configuration) run this way. Nothing else
// may run meanwhile.
func (m *Moto) WithoutIAM(ctx context.Context, f func() error) error {
	if !m.iam {
		return f()
	}
	resume, err := m.PauseIAM(ctx)
	if err != nil {
		return err
	}
	ferr := f()
	if err := resume(); err != nil {
		return errors.Join(ferr, err)
	}
	return ferr
}

func (m *Moto) resetAuth(ctx context.Context, count string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/moto-api/reset-auth", strings.NewReader(count))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("localaws: reset-auth %s: %w", count, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("localaws: reset-auth %s: %s", count, resp.Status)
	}
	return nil
}
