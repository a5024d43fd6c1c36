// Package consumer checks that elb-otel works as a dependency of another Go
// module: a throwaway module outside this one requires
// github.com/elb-otel/elb-otel (its only directive beyond require is a replace
// pointing at this checkout), builds a stack with both constructs, and
// synthesizes it with the pinned CDK CLI.
package consumer
