package safefile

import (
	"context"
	"io"
)

// ContextReader returns a reader that ends a long copy from r with ctx's
// error once ctx ends (shutdown during a large intake or delivery).
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
