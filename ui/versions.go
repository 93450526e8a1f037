package ui

import (
	"sync"

	"poststelle/mailroom"
)

// Versions keeps, per document, the versions this desk itself produced, so
// that several changes made one after the other on the version shown (turn
// a page twice, save metadata and then the protection level) are not
// refused as stale: a change named with a version that was the start or the
// result of one of the desk's own changes is sent with the desk's latest
// version. A change by anybody else in between still makes it stale,
// because the engine's version then differs from the desk's latest. The
// changes of one document are sent one at a time. Both models use it.
type Versions struct {
	mu   sync.Mutex
	docs map[string]*docVersions
}

type docVersions struct {
	mu     sync.Mutex // held while a change of the document is under way
	own    map[int64]bool
	latest int64
}

func (vs *Versions) doc(id string) *docVersions {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if vs.docs == nil {
		vs.docs = map[string]*docVersions{}
	}
	d := vs.docs[id]
	if d == nil {
		d = &docVersions{own: map[int64]bool{}}
		vs.docs[id] = d
	}
	return d
}

// Do runs change with the version to send for ref and records the version
// it returns.
func (vs *Versions) Do(ref mailroom.Ref, change func(ref mailroom.Ref) (int64, error)) error {
	d := vs.doc(ref.ID)
	d.mu.Lock()
	defer d.mu.Unlock()
	send := ref
	if ref.Version != 0 && d.own[ref.Version] && d.latest != 0 {
		send.Version = d.latest
	}
	v, err := change(send)
	if err != nil {
		return err
	}
	if v != 0 {
		d.own[send.Version] = true
		d.own[v] = true
		d.latest = v
	}
	return nil
}
