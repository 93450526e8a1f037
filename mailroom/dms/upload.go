package dms

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
)

// MultipartStream streams a multipart/form-data body: the fields in order,
// then the file as the part fileField named fileName. It returns the body to
// send and its Content-Type. The body is written by a goroutine through a
// pipe, so a large file is never held in memory; an error while writing
// reaches the reader. A caller whose request fails closes the reader with
// the error so the goroutine ends.
func MultipartStream(fields [][2]string, fileField, fileName string, file io.Reader) (*io.PipeReader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, kv := range fields {
				if err := mw.WriteField(kv[0], kv[1]); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile(fileField, fileName)
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, file); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// RequestError turns the error of http.Client.Do for a request made with ctx
// into the connector's error: the caller's cancellation as it is, anything
// else (connection refused, reset, timeout) as a Transient named op.
func RequestError(ctx context.Context, op string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return &Transient{Op: op, Err: err}
}
