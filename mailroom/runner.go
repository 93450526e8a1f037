package mailroom

import "context"

// Runner is a long-running part of the engine.
type Runner interface {
	Name() string
	Run(ctx context.Context) error
}

// RunnerFunc adapts a function to a Runner.
type RunnerFunc struct {
	N string
	F func(ctx context.Context) error
}

// Name implements Runner.
func (r RunnerFunc) Name() string { return r.N }

// Run implements Runner.
func (r RunnerFunc) Run(ctx context.Context) error { return r.F(ctx) }
