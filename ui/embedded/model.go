package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"poststelle/mailroom"
	"poststelle/mailroom/engine"
	"poststelle/mailroom/identity"
	"poststelle/mailroom/store"
	"poststelle/ui"
)

// FlagSeparator marks a kept separator or index sheet (ASN, tag, metadata
// barcode) among a document's pages.
const FlagSeparator = "separator"

// Model is the desk's model over a local store and engine.
type Model struct {
	Config *mailroom.Config
	Store  *store.Store
	Engine *engine.Engine
	ops    *engine.PageOps
	pages  *Renderer

	idOnce sync.Once
	id     *identity.Service
	idErr  error
}

var _ ui.Model = (*Model)(nil)

// New makes the model. opener renders page previews (pages.NewOpener in scan/pages).
func New(cfg *mailroom.Config, st *store.Store, e *engine.Engine, opener mailroom.PageOpener) *Model {
	return &Model{Config: cfg, Store: st, Engine: e,
		ops:   &engine.PageOps{Store: st, Docs: st},
		pages: NewRenderer(opener, filepath.Join(st.DataDir(), "work", "desk-thumbs"))}
}

// Renderer is the page renderer (for benchmarks and tests).
func (m *Model) Renderer() *Renderer { return m.pages }

// NeedsPassword implements ui.Model: operators are configured, in the
// operator table or in the directory (mailroom/identity). If the identity
// layer cannot start, a password is asked and Login says why.
func (m *Model) NeedsPassword() bool {
	id, err := m.identity()
	if err != nil {
		return true
	}
	req, err := id.PasswordRequired(context.Background())
	return req || err != nil
}

// ErrLogin is returned for wrong credentials.
var ErrLogin = identity.ErrLogin

// identity starts the identity layer once (argon2id operators, directory,
// throttling, journal).
func (m *Model) identity() (*identity.Service, error) {
	m.idOnce.Do(func() { m.id, m.idErr = identity.New(m.Config, m.Store, nil) })
	return m.id, m.idErr
}

// Login implements ui.Model through mailroom/identity; every attempt is
// journaled there. Without operators the OS user is taken, as before.
func (m *Model) Login(ctx context.Context, login, password string) (ui.Operator, error) {
	login = strings.TrimSpace(login)
	id, err := m.identity()
	if err != nil {
		return ui.Operator{}, startError(err)
	}
	if req, err := id.PasswordRequired(ctx); err != nil {
		return ui.Operator{}, err
	} else if !req {
		u := identity.OSUser().Login
		if login != "" && login != u {
			m.Store.Append(ctx, login, "login-failed", "", "", map[string]any{"reason": "no operators configured; only the OS user " + u})
			return ui.Operator{}, ErrLogin
		}
		op := ui.Operator{Login: u, Name: u}
		_, err := m.Store.Append(ctx, u, "login", "", "", map[string]any{"method": "os-user"})
		return op, err
	}
	p, err := id.Authenticate(ctx, login, password, identity.Client{Address: "local", Via: "desk"})
	if err != nil {
		return ui.Operator{}, err
	}
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return ui.Operator{Login: p.Login, Name: p.Name, Roles: roles}, nil
}

// startError tells the clerk why logins are not possible at all (an old
// sha256 hash in the configuration: how to set a new password).
func startError(err error) error {
	var le *mailroom.LegacyPasswordError
	if errors.As(err, &le) {
		de, en := le.Texts()
		return mailroom.BadInput("Anmeldung nicht möglich: "+de, "login not possible: "+en, nil)
	}
	return mailroom.BadInput("Anmeldung nicht möglich: Anmeldung falsch eingerichtet",
		"login not possible: login set up wrongly", err)
}

// Schema implements ui.Model: the form of the configuration's [desk] section.
func (m *Model) Schema() mailroom.FieldSchema { return m.Config.Desk.Schema() }

// Counts implements ui.Model.
func (m *Model) Counts(ctx context.Context) (map[mailroom.State]int, error) {
	return m.Store.Counts(ctx)
}

// Documents implements ui.Model.
func (m *Model) Documents(ctx context.Context, states ...mailroom.State) ([]ui.DocRow, error) {
	docs, err := m.Store.Documents(ctx, mailroom.DocFilter{States: states})
	if err != nil {
		return nil, err
	}
	batches := map[string]*mailroom.Batch{}
	out := make([]ui.DocRow, 0, len(docs))
	for _, d := range docs {
		b := batches[d.BatchID]
		if b == nil {
			if b, err = m.Store.Batch(ctx, d.BatchID); err != nil {
				return nil, err
			}
			batches[d.BatchID] = b
		}
		out = append(out, row(d, b))
	}
	return out, nil
}

func row(d *mailroom.Document, b *mailroom.Batch) ui.DocRow {
	class := d.Metadata["document_type"]
	if class == "" {
		class = d.Metadata["document_class"]
	}
	return ui.DocRow{ID: d.ID, BatchID: d.BatchID, Seq: d.Seq, State: d.State, Source: b.Source, Filename: b.Filename,
		Received: b.ReceivedAt, Class: class, Subject: d.Metadata["subject"], Pages: len(d.Pages),
		Flags: d.Flags, Protection: d.Protection, Reason: d.Reason, Proposals: len(mailroom.ProposedSplits(d))}
}

// Document implements ui.Model.
func (m *Model) Document(ctx context.Context, id string) (*ui.DocView, error) {
	d, err := m.Store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := m.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return nil, err
	}
	del, err := m.Store.DeletedPages(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &ui.DocView{DocRow: row(d, b), Metadata: d.Metadata, Deleted: del, QA: mailroom.QAOf(d), Output: d.Output,
		Invoice: invoiceCheck(d)}
	v.ScannedBy = d.Metadata["scanned_by"]
	if v.ScannedBy == "" {
		v.ScannedBy = b.Metadata["scanned_by"]
	}
	results := m.pageResults(ctx, d)
	rot := mailroom.Rotations(d)
	seps := map[int]bool{}
	for _, s := range b.Separators {
		seps[s.Page] = true
	}
	props := map[int]*mailroom.SplitProposal{}
	for _, sp := range mailroom.ProposedSplits(d) {
		props[sp.Page] = &sp
	}
	for _, p := range d.Pages {
		pv := ui.PageView{Source: p, Rotation: rot[p], Proposal: props[p]}
		if seps[p] {
			pv.Flags = append(pv.Flags, FlagSeparator)
		}
		if r, ok := results[p]; ok {
			pv.Text, pv.Confidence = r.Text, r.Confidence
			pv.Flags = append(pv.Flags, r.Flags...)
			if r.Rotation != 0 {
				pv.Flags = append(append([]string{}, pv.Flags...), mailroom.FlagRotated)
			}
		}
		v.Pages = append(v.Pages, pv)
	}
	return v, nil
}

// pageResults reads the OCR results of the document's source pages from
// out/<id>/metadata.json, and for pages it does not cover (after a split or
// merge, before the PDF is re-made) from the other documents of the batch.
func (m *Model) pageResults(ctx context.Context, d *mailroom.Document) map[int]mailroom.PageResult {
	out := map[int]mailroom.PageResult{}
	read := func(id string) {
		data, err := os.ReadFile(filepath.Join(m.Store.DataDir(), "out", id, "metadata.json"))
		if err != nil {
			return
		}
		var md mailroom.DocumentMetadata
		if json.Unmarshal(data, &md) != nil {
			return
		}
		for _, r := range md.PageResults {
			if _, ok := out[r.Page]; !ok {
				out[r.Page] = r
			}
		}
	}
	read(d.ID)
	missing := false
	for _, p := range d.Pages {
		if _, ok := out[p]; !ok {
			missing = true
		}
	}
	if missing {
		if sibs, err := m.Store.Documents(ctx, mailroom.DocFilter{BatchID: d.BatchID}); err == nil {
			for _, s := range sibs {
				if s.ID != d.ID {
					read(s.ID)
				}
			}
		}
	}
	return out
}

// PageImage implements ui.Model.
func (m *Model) PageImage(ctx context.Context, docID string, page, rotation, maxPx int) (image.Image, error) {
	d, err := m.Store.Document(ctx, docID)
	if err != nil {
		return nil, err
	}
	b, err := m.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return nil, err
	}
	src, mt := m.Store.OriginalPath(b.SHA256), b.MediaType
	key := b.SHA256
	switch mt {
	case mailroom.MediaPDF, mailroom.MediaTIFF, mailroom.MediaJPEG, mailroom.MediaPNG:
	default:
		// Not a page format (mail, e-invoice XML): show the rendition.
		if d.Output == "" {
			return nil, mailroom.BadInput("Keine Seitenansicht: Dokument hat noch kein PDF",
				"no page view: the document has no PDF yet", nil)
		}
		src, mt, key = d.Output, mailroom.MediaPDF, "out-"+d.ID
	}
	return m.pages.Page(ctx, key, src, mt, page, rotation, maxPx)
}

// UpdateMetadata implements ui.Model.
func (m *Model) UpdateMetadata(ctx context.Context, docID, person string, fields map[string]string) error {
	return m.Engine.UpdateMetadata(ctx, docID, person, fields)
}

// RecordQA implements ui.Model.
func (m *Model) RecordQA(ctx context.Context, docID string, qa mailroom.QAResult) error {
	d, err := m.Store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if err := mailroom.CheckPagesApplied(d); err != nil {
		return err
	}
	return m.Engine.RecordQA(ctx, docID, qa)
}

// Approve implements ui.Model. Documents with unapplied page changes are
// refused; the protection level's rules are the engine's ApprovalPolicy.
func (m *Model) Approve(ctx context.Context, docID, person string) error {
	d, err := m.Store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if err := mailroom.CheckPagesApplied(d); err != nil {
		return err
	}
	return m.Engine.Approve(ctx, docID, person)
}

// Reject implements ui.Model.
func (m *Model) Reject(ctx context.Context, docID, person, reason string) error {
	return m.Engine.Reject(ctx, docID, person, reason)
}

// Rotate implements ui.Model.
func (m *Model) Rotate(ctx context.Context, docID, person string, pos, degrees int) error {
	_, err := m.ops.Rotate(ctx, docID, person, pos, degrees)
	return err
}

// DeletePage implements ui.Model.
func (m *Model) DeletePage(ctx context.Context, docID, person string, pos int) error {
	_, err := m.ops.Delete(ctx, docID, person, pos)
	return err
}

// RestorePage implements ui.Model.
func (m *Model) RestorePage(ctx context.Context, docID, person string, page int) error {
	_, err := m.ops.Restore(ctx, docID, person, page)
	return err
}

// MovePage implements ui.Model.
func (m *Model) MovePage(ctx context.Context, docID, person string, from, to int) error {
	_, err := m.ops.Move(ctx, docID, person, from, to)
	return err
}

// Split implements ui.Model.
func (m *Model) Split(ctx context.Context, docID, person string, at int) (string, error) {
	_, tail, err := m.ops.Split(ctx, docID, person, at)
	if err != nil {
		return "", err
	}
	return tail.ID, nil
}

// AcceptSplit implements ui.Model.
func (m *Model) AcceptSplit(ctx context.Context, docID, person string, page int) (string, error) {
	_, tail, err := m.ops.AcceptSplit(ctx, docID, person, page)
	if err != nil {
		return "", err
	}
	return tail.ID, nil
}

// DismissSplit implements ui.Model.
func (m *Model) DismissSplit(ctx context.Context, docID, person string, page int) error {
	_, err := m.ops.DismissSplit(ctx, docID, person, page)
	return err
}

// MergeNext implements ui.Model.
func (m *Model) MergeNext(ctx context.Context, docID, person string) error {
	_, err := m.ops.MergeNext(ctx, docID, person)
	return err
}

// ApplyPages implements ui.Model.
func (m *Model) ApplyPages(ctx context.Context, docID, person string) error {
	_, err := m.ops.ApplyPages(ctx, docID, person)
	return err
}

var protectionRank = map[mailroom.Protection]int{mailroom.ProtectionNormal: 0, mailroom.ProtectionHoch: 1, mailroom.ProtectionSehrHoch: 2}

// SetProtection implements ui.Model. Lowering is refused: it would drop the
// QA and four-eyes rules that the intake profile demanded.
func (m *Model) SetProtection(ctx context.Context, docID, person string, p mailroom.Protection) error {
	if !p.Valid() {
		return mailroom.BadInput("Unbekannter Schutzbedarf", "unknown protection level", fmt.Errorf("%q", p))
	}
	_, err := m.Store.Transition(ctx, docID, mailroom.Change{Actor: person, Action: "protection",
		Detail: map[string]any{"protection": p},
		Mutate: func(d *mailroom.Document) error {
			if d.State != mailroom.StateReview {
				return mailroom.BadInput("Schutzbedarf nur in der Prüfung änderbar", "protection can only be changed in review", nil)
			}
			if protectionRank[p] < protectionRank[d.Protection] {
				return mailroom.BadInput(fmt.Sprintf("Schutzbedarf kann nicht gesenkt werden (%s → %s)", d.Protection, p),
					fmt.Sprintf("protection level cannot be lowered (%s → %s)", d.Protection, p), nil)
			}
			d.Protection = p
			return nil
		}})
	return err
}

// Retry implements ui.Model: a quarantined document that was already split
// goes back to recognising, one that was not back to received.
func (m *Model) Retry(ctx context.Context, docID, person string) error {
	d, err := m.Store.Document(ctx, docID)
	if err != nil {
		return err
	}
	if d.State != mailroom.StateQuarantined {
		return &mailroom.ErrTransition{From: d.State, To: mailroom.StateReceived}
	}
	to := mailroom.StateReceived
	if len(d.Pages) > 0 {
		to = mailroom.StateRecognising
	}
	_, err = m.Store.Transition(ctx, docID, mailroom.Change{To: to, Actor: person, Action: "retry",
		Mutate: func(d *mailroom.Document) error { d.Reason = ""; d.Attempts = 0; return nil }})
	return err
}

// Release implements ui.Model: the quarantined document goes to review,
// where a person decides (approve or reject).
func (m *Model) Release(ctx context.Context, docID, person string) error {
	_, err := m.Store.Transition(ctx, docID, mailroom.Change{To: mailroom.StateReview, Actor: person, Action: "release",
		Mutate: func(d *mailroom.Document) error {
			if d.State != mailroom.StateQuarantined {
				return errors.New("release: document is not quarantined")
			}
			if len(d.Pages) == 0 {
				d.Pages = []int{1}
			}
			return nil
		}})
	return err
}

// Journal implements ui.Model.
func (m *Model) Journal(ctx context.Context, f mailroom.JournalFilter) ([]mailroom.JournalEntry, error) {
	return m.Store.Journal(ctx, f)
}
