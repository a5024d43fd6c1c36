// Package ecstask plays a deployed ECS task definition on this machine, as
// package lambdart plays a Lambda function: it reads the task definition back
// from the ECS API (moto's, which stores task definitions but runs nothing)
// and runs its containers as local processes, in dependency order, with the
// definition's entry point, command, environment, secrets (from Secrets
// Manager), shared volumes and health checks.
//
// An image becomes a local program only through Options.Images (image
// reference to the binary built from the same version, standing for the
// image's entry point); a container whose entry point the definition sets
// (sh -c ...) runs that program from PATH. An image listed in
// Options.NotRunnable is reported "not runnable here" with the reason, and
// its container's wiring is left to the caller to check from the definition.
//
// What differs from ECS is said out loud by Plan: a volume is a directory
// under Options.Dir and its container path is rewritten to it in the entry
// point and command; containers share the host's loopback as awsvpc
// containers share the task's; memory limits are not enforced but each
// process's peak RSS is measured against its limit.
//
//	td, err := ecstask.Describe(ctx, moto, taskDefinitionArn)
//	task, err := ecstask.Start(ctx, td, ecstask.Options{Images: ..., Secrets: moto.SecretsManager(), Dir: dir})
//	defer task.Stop()
package ecstask
