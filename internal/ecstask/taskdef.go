package ecstask

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TaskDefinition is the part of an ECS task definition (DescribeTaskDefinition)
// the player uses.
type TaskDefinition struct {
	TaskDefinitionArn    string
	Family               string
	Revision             int
	Cpu, Memory          string
	TaskRoleArn          string
	ExecutionRoleArn     string
	ContainerDefinitions []Container
	Volumes              []struct{ Name string }
}

// Container is one container definition.
type Container struct {
	Name        string
	Image       string
	Essential   *bool
	EntryPoint  []string
	Command     []string
	Environment []KeyValue
	Secrets     []Secret
	MountPoints []MountPoint
	DependsOn   []Dependency
	HealthCheck *HealthCheck
	Memory      int
	User        string
}

// KeyValue is one environment variable.
type KeyValue struct{ Name, Value string }

// Secret is one variable filled from Secrets Manager (or SSM): ValueFrom is
// arn:...:secret:NAME[:json-key[:version-stage[:version-id]]].
type Secret struct{ Name, ValueFrom string }

// MountPoint mounts a task volume into the container.
type MountPoint struct {
	SourceVolume  string
	ContainerPath string
	ReadOnly      bool
}

// Dependency makes a container wait for another's START, COMPLETE, SUCCESS
// or HEALTHY.
type Dependency struct{ ContainerName, Condition string }

// HealthCheck is a container health check: Command is ["CMD", prog, args...]
// or ["CMD-SHELL", script]; times in seconds.
type HealthCheck struct {
	Command                                 []string
	Interval, Timeout, Retries, StartPeriod int
}

// IsEssential reports whether the task stops when the container stops (ECS's
// default is true).
func (c Container) IsEssential() bool { return c.Essential == nil || *c.Essential }

// Env returns the container's environment variable name.
func (c Container) Env(name string) (string, bool) {
	for _, kv := range c.Environment {
		if kv.Name == name {
			return kv.Value, true
		}
	}
	return "", false
}

// Container returns the container definition called name.
func (td *TaskDefinition) Container(name string) (Container, bool) {
	for _, c := range td.ContainerDefinitions {
		if c.Name == name {
			return c, true
		}
	}
	return Container{}, false
}

// JSONCaller sends one AWS JSON 1.1 request (localaws.Moto.CallJSON).
type JSONCaller interface {
	CallJSON(ctx context.Context, service, target string, in, out any) error
}

// Describe reads the task definition (ARN or family:revision) from ECS.
func Describe(ctx context.Context, api JSONCaller, taskDefinition string) (*TaskDefinition, error) {
	var out struct{ TaskDefinition *TaskDefinition }
	err := api.CallJSON(ctx, "ecs", "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition",
		map[string]string{"taskDefinition": taskDefinition}, &out)
	if err != nil {
		return nil, err
	}
	if out.TaskDefinition == nil || len(out.TaskDefinition.ContainerDefinitions) == 0 {
		return nil, fmt.Errorf("ecstask: ECS has no container definitions for %s", taskDefinition)
	}
	return out.TaskDefinition, nil
}

// SecretsAPI is the part of the Secrets Manager client the player uses.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// resolveSecret reads one ECS secret from Secrets Manager as ECS does: the
// secret's string, or its JSON key's value.
func resolveSecret(ctx context.Context, api SecretsAPI, s Secret) (string, error) {
	parts := strings.Split(s.ValueFrom, ":")
	if len(parts) < 7 || parts[2] != "secretsmanager" {
		return "", fmt.Errorf("ecstask: secret %s: ValueFrom %q is not a Secrets Manager ARN (SSM parameters are not played)", s.Name, s.ValueFrom)
	}
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(strings.Join(parts[:7], ":"))}
	key := ""
	if len(parts) > 7 {
		key = parts[7]
	}
	if len(parts) > 8 && parts[8] != "" {
		in.VersionStage = aws.String(parts[8])
	}
	if len(parts) > 9 && parts[9] != "" {
		in.VersionId = aws.String(parts[9])
	}
	out, err := api.GetSecretValue(ctx, in)
	if err != nil {
		return "", fmt.Errorf("ecstask: secret %s: %w", s.Name, err)
	}
	value := aws.ToString(out.SecretString)
	if key == "" {
		return value, nil
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(value), &fields); err != nil {
		return "", fmt.Errorf("ecstask: secret %s: the secret is not a JSON object, so key %q cannot be read: %w", s.Name, key, err)
	}
	v, ok := fields[key].(string)
	if !ok {
		return "", fmt.Errorf("ecstask: secret %s: the secret has no string key %q", s.Name, key)
	}
	return v, nil
}
