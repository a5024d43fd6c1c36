package ecstask

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Options configure Plan and Start.
type Options struct {
	// Images maps an image reference, exactly as the definition names it, to
	// the local binary built from the same version, which stands for the
	// image's entry point.
	Images map[string]string
	// NotRunnable maps an image reference to why it cannot run here.
	NotRunnable map[string]string
	// Secrets reads the containers' secrets. Required when one has secrets.
	Secrets SecretsAPI
	// Dir holds the task's volumes (Dir/volumes/NAME) and the containers'
	// logs (Dir/logs/NAME.log).
	Dir string
	// Env is every container's base environment (PATH, and what stands for
	// the task role: the AWS endpoint and credentials); the definition's
	// environment and secrets are set over it.
	Env []string
	// ExtraArgs are appended to a container's command, by container name;
	// Plan lists them, as they differ from the definition.
	ExtraArgs map[string][]string
	// Log receives the player's own lines. Default: discarded.
	Log io.Writer
	// BeforeStart, when set, is called before each container starts, once
	// its dependencies are met; the caller may wait there (to choose a
	// timer's phase) or refuse. Default: none.
	BeforeStart func(ctx context.Context, container string) error
}

// Step is how one container runs here.
type Step struct {
	Container Container
	// Program and Args are the process; Program is "" when the container is
	// not runnable here.
	Program string
	Args    []string
	// NotRunnable says why the container does not run here.
	NotRunnable string
	// Notes list what differs from ECS for this container.
	Notes []string
}

// Plan orders the containers so each comes after the containers it depends
// on (definition order otherwise) and decides how each runs. It fails on a
// dependency cycle, a dependency on an unknown container, or an image it
// has no program for.
func Plan(td *TaskDefinition, opts Options) ([]Step, error) {
	order, err := dependencyOrder(td.ContainerDefinitions)
	if err != nil {
		return nil, err
	}
	volumes := map[string]string{}
	for _, v := range td.Volumes {
		volumes[v.Name] = filepath.Join(opts.Dir, "volumes", v.Name)
	}
	var steps []Step
	for _, c := range order {
		s, err := plan(c, volumes, opts)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	return steps, nil
}

func plan(c Container, volumes map[string]string, opts Options) (Step, error) {
	s := Step{Container: c}
	paths := map[string]string{}
	for _, mp := range c.MountPoints {
		dir, ok := volumes[mp.SourceVolume]
		if !ok {
			return s, fmt.Errorf("ecstask: container %s mounts volume %q, which the task does not define", c.Name, mp.SourceVolume)
		}
		paths[mp.ContainerPath] = dir
		s.Notes = append(s.Notes, fmt.Sprintf("volume %s at %s is %s", mp.SourceVolume, mp.ContainerPath, dir))
		if mp.ReadOnly {
			s.Notes = append(s.Notes, fmt.Sprintf("%s read-only is not enforced", mp.ContainerPath))
		}
	}
	argv := append(rewrite(c.EntryPoint, paths), rewrite(c.Command, paths)...)
	switch {
	case len(c.EntryPoint) > 0:
		// The definition sets the entry point: a shell from PATH plays it.
		prog, err := exec.LookPath(c.EntryPoint[0])
		if err != nil {
			return s, fmt.Errorf("ecstask: container %s: entry point %q is not on PATH", c.Name, c.EntryPoint[0])
		}
		s.Program, s.Args = prog, argv[1:]
	case opts.Images[c.Image] != "":
		s.Program, s.Args = opts.Images[c.Image], argv
	case opts.NotRunnable[c.Image] != "":
		s.NotRunnable = opts.NotRunnable[c.Image]
		return s, nil
	default:
		return s, fmt.Errorf("ecstask: container %s: no local program for image %s (set Options.Images or Options.NotRunnable)", c.Name, c.Image)
	}
	if extra := opts.ExtraArgs[c.Name]; len(extra) > 0 {
		s.Args = append(s.Args, extra...)
		s.Notes = append(s.Notes, "added "+strings.Join(extra, " "))
	}
	return s, nil
}

// rewrite replaces each mounted container path in args with its directory.
func rewrite(args []string, paths map[string]string) []string {
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) }) // longest first
	out := make([]string, len(args))
	for i, a := range args {
		for _, k := range keys {
			a = strings.ReplaceAll(a, k, paths[k])
		}
		out[i] = a
	}
	return out
}

// dependencyOrder sorts the containers topologically by DependsOn, keeping
// the definition's order among independent ones.
func dependencyOrder(cs []Container) ([]Container, error) {
	index := map[string]int{}
	for i, c := range cs {
		index[c.Name] = i
	}
	state := make([]int, len(cs)) // 0 new, 1 visiting, 2 done
	var out []Container
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("ecstask: dependency cycle %s", strings.Join(append(path, cs[i].Name), " -> "))
		case 2:
			return nil
		}
		state[i] = 1
		for _, d := range cs[i].DependsOn {
			j, ok := index[d.ContainerName]
			if !ok {
				return fmt.Errorf("ecstask: container %s depends on %q, which the task does not define", cs[i].Name, d.ContainerName)
			}
			if err := visit(j, append(path, cs[i].Name)); err != nil {
				return err
			}
		}
		state[i] = 2
		out = append(out, cs[i])
		return nil
	}
	for i := range cs {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PrintPlan writes the steps as the player will run them.
func PrintPlan(w io.Writer, steps []Step) {
	for i, s := range steps {
		c := s.Container
		var deps []string
		for _, d := range c.DependsOn {
			deps = append(deps, d.ContainerName+" "+d.Condition)
		}
		how := s.Program + " " + strings.Join(s.Args, " ")
		if s.Program == "" {
			how = "NOT RUNNABLE HERE: " + s.NotRunnable
		}
		fmt.Fprintf(w, "  %d. %s (%s; essential %v; after [%s])\n     %.160s\n", i+1, c.Name, c.Image, c.IsEssential(), strings.Join(deps, ", "), how)
		for _, n := range s.Notes {
			fmt.Fprintf(w, "     note: %s\n", n)
		}
	}
}
