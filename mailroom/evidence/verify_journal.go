package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"poststelle/mailroom"
)

// journalAnchor is a journal head recorded outside the journal: in a
// checkpoint (stored or copied) or in a delivered document.
type journalAnchor struct {
	seq          int64
	hash, source string
}

// journalView is the journal as read once by a Verifier, with the results
// of the checks that do not depend on a document.
type journalView struct {
	err      error
	entries  []mailroom.JournalEntry
	bySeq    map[int64]*mailroom.JournalEntry
	checks   []Check       // chain, checkpoints
	anchored journalAnchor // the newest head a valid checkpoint covers
}

// journalView reads and checks the journal on first use.
func (v *Verifier) journalView(ctx context.Context) *journalView {
	if v.view != nil {
		return v.view
	}
	jv := &journalView{}
	v.view = jv
	jv.entries, jv.err = v.opts.Journal(ctx)
	if jv.err != nil {
		jv.checks = []Check{{Name: "journal", Status: Fail, DE: "Protokoll nicht lesbar: " + jv.err.Error(), EN: "journal unreadable: " + jv.err.Error()}}
		return jv
	}
	jv.bySeq = make(map[int64]*mailroom.JournalEntry, len(jv.entries))
	for i := range jv.entries {
		jv.bySeq[jv.entries[i].Seq] = &jv.entries[i]
	}
	rep := &Report{}
	if v.opts.ChainCheck != nil {
		n, err := v.opts.ChainCheck(jv.entries)
		if err != nil {
			rep.add("journal", Fail, "Hash-Kette des Protokolls gebrochen: %v", "journal hash chain broken: %v", err)
		} else {
			rep.add("journal", OK, "Hash-Kette des Protokolls intakt (%d Einträge)", "journal hash chain intact (%d entries)", n)
		}
	}
	if v.opts.Records != nil {
		stamps := v.checkStamps(ctx, rep, jv)
		v.checkCheckpointEntries(rep, jv, stamps)
		if v.opts.CheckpointDir != "" {
			v.checkCheckpointFiles(rep, jv, stamps)
		}
	}
	jv.checks = rep.Checks
	return jv
}

// report adds the journal's checks to rep.
func (jv *journalView) report(rep *Report) {
	rep.Checks = append(rep.Checks, jv.checks...)
}

// newestAnchor is the newest head covered by a checkpoint or a document.
func (v *Verifier) newestAnchor(jv *journalView) journalAnchor {
	a := jv.anchored
	for _, d := range v.docAnchors {
		if d.seq > a.seq {
			a = d
		}
	}
	return a
}

// reportAnchors says which entries no anchor covers: entries after the
// newest anchor could be rewritten without verify noticing. A journal with
// entries and no anchor at all is not verifiable.
func (v *Verifier) reportAnchors(rep *Report, jv *journalView) {
	if jv.err != nil || len(jv.entries) == 0 {
		return
	}
	a := v.newestAnchor(jv)
	if a.seq == 0 {
		rep.add("journal-anchors", Unverifiable, "Protokoll nirgends verankert (keine Kontrollpunkte, keine exportierten Protokollköpfe): eine Umschreibung wäre nicht erkennbar",
			"journal anchored nowhere (no checkpoints, no exported journal heads): a rewrite would go unnoticed")
		return
	}
	var first, last int64
	n := 0
	for _, e := range jv.entries {
		if e.Seq > a.seq && e.Action != ActionCheckpoint {
			if first == 0 {
				first = e.Seq
			}
			last = e.Seq
			n++
		}
	}
	if n == 0 {
		rep.add("journal-anchors", OK, "alle Einträge verankert; der neueste Anker deckt Eintrag %d (%s)", "all entries anchored; the newest anchor covers entry %d (%s)",
			a.seq, a.source)
		return
	}
	rep.add("journal-anchors", Warn, "%d Einträge (%d–%d) nach dem neuesten Anker (Eintrag %d, %s) sind noch nicht verankert: ihre Umschreibung wäre nicht erkennbar",
		"%d entries (%d–%d) after the newest anchor (entry %d, %s) are not anchored yet: a rewrite of them would go unnoticed", n, first, last, a.seq, a.source)
}

// journal checks the document against the journal: the chain and the
// checkpoints, the hashes journaled at approval, the journal heads the
// document carries, and whether its approval entry is anchored.
func (c *docCheck) journal(ctx context.Context) {
	if c.v.opts.Journal == nil {
		c.rep.add("journal", Skip, "Protokoll nicht erreichbar (--data-dir angeben)", "journal not reachable (give --data-dir)")
		return
	}
	jv := c.v.journalView(ctx)
	jv.report(c.rep)
	if jv.err != nil {
		return
	}
	c.journalEvidence(jv)
	if p := c.tv.Protokoll; p != nil {
		c.anchor(jv, "journal-anchor", "Transfervermerk", "Transfervermerk", p.Eintrag, p.Hash)
	}
	if sc := c.m.sidecar; sc != nil && sc.Metadata[MetaJournalSeq] != "" {
		var seq int64
		fmt.Sscan(sc.Metadata[MetaJournalSeq], &seq)
		c.anchor(jv, "journal-anchor-export", "Beschreibung der Zustellung (index.json)", "delivery sidecar (index.json)", seq, sc.Metadata[MetaJournalHash])
	}
	if c.evidenceSeq > 0 {
		if a := c.v.newestAnchor(jv); c.evidenceSeq > a.seq {
			c.rep.add("journal-anchored", Warn, "der Protokolleintrag %d der Freigabe ist noch durch keinen Anker gedeckt", "the approval's journal entry %d is not covered by any anchor yet",
				c.evidenceSeq)
		}
	}
}

// anchor checks a journal head the document carries: the entry must exist
// with that hash, else the journal was rewritten or cut after the head was
// recorded. A matching head is an anchor for Journal's report.
func (c *docCheck) anchor(jv *journalView, name, whereDE, whereEN string, seq int64, hash string) {
	e := jv.bySeq[seq]
	switch {
	case seq <= 0 || hash == "":
		c.rep.add(name, Fail, "%[1]s nennt keinen lesbaren Protokollkopf", "the %[2]s names no readable journal head", whereDE, whereEN)
	case e == nil:
		c.rep.add(name, Fail, "Protokoll gekürzt: Eintrag %[3]d, den %[1]s verankert, fehlt", "journal cut: entry %[3]d, anchored by the %[2]s, is missing",
			whereDE, whereEN, seq)
	case e.Hash != hash:
		c.rep.add(name, Fail, "Protokoll umgeschrieben: Eintrag %[3]d hat nicht den Hash, den %[1]s verankert (%.16[4]s…)",
			"journal rewritten: entry %[3]d does not have the hash anchored by the %[2]s (%.16[4]s…)", whereDE, whereEN, seq, hash)
	default:
		c.rep.add(name, OK, "%[1]s verankert das Protokoll bis Eintrag %[3]d: unverändert", "the %[2]s anchors the journal up to entry %[3]d: unchanged",
			whereDE, whereEN, seq)
		c.v.docAnchors = append(c.v.docAnchors, journalAnchor{seq: seq, hash: hash, source: c.m.path})
	}
}

// journalEvidence compares the files with the hashes journaled at approval
// (the document's newest evidence entry).
func (c *docCheck) journalEvidence(jv *journalView) {
	var rec *Record
	var seq int64
	for i := len(jv.entries) - 1; i >= 0; i-- {
		e := jv.entries[i]
		if e.Action == "evidence" && e.DocumentID == c.tv.DocumentID {
			var r Record
			if json.Unmarshal([]byte(e.Detail), &r) == nil {
				rec, seq = &r, e.Seq
			}
			break
		}
	}
	if rec == nil {
		c.rep.add("journal-evidence", Fail, "kein Beweis-Eintrag für Dokument %s im Protokoll", "no evidence entry for document %s in the journal", c.tv.DocumentID)
		return
	}
	var bad []string
	prod := c.productData
	if c.ourPDF {
		prod = c.m.pdf
	}
	if prod == nil || rec.PDFSHA256 != "" && sha(prod) != rec.PDFSHA256 {
		bad = append(bad, "Dokument / document")
	}
	if sha(c.tvXML) != rec.TVSHA256 {
		bad = append(bad, FileName)
	}
	if len(bad) > 0 {
		c.rep.add("journal-evidence", Fail, "Hash von %s weicht vom Protokoll ab", "hash of %s differs from the journal", joinComma(bad))
		return
	}
	c.journaled, c.evidenceSeq = true, seq
	c.rep.add("journal-evidence", OK, "Hashes stimmen mit dem Protokolleintrag %d der Freigabe überein", "hashes match the approval's journal entry %d", seq)
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
