package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"poststelle/mailroom"
)

// checkStamps checks every stored checkpoint (see checkStamp); each broken
// one is a check journal-stamp-<seq>, the valid ones are summed up in
// journal-stamps. It returns the stamps read.
func (v *Verifier) checkStamps(ctx context.Context, rep *Report, jv *journalView) []JournalStamp {
	stamps, err := v.opts.Records.JournalStamps(ctx)
	if err != nil {
		rep.add("journal-stamps", Fail, "Zeitstempel des Protokolls nicht lesbar: %v", "journal timestamps unreadable: %v", err)
		return nil
	}
	if len(stamps) == 0 {
		rep.add("journal-stamps", Skip, "keine Zeitstempel oder Kontrollpunkte über das Protokoll gespeichert (kein TSA und kein Siegel konfiguriert?)",
			"no timestamps or checkpoints over the journal stored (no TSA and no seal configured?)")
		return nil
	}
	good, tokens, seals := 0, 0, 0
	var last *JournalStamp
	for i := range stamps {
		s := &stamps[i]
		var prev *JournalStamp
		if i > 0 {
			prev = &stamps[i-1]
		}
		when := s.Time.UTC().Format("2006-01-02 15:04:05Z")
		if p := v.checkStamp(s, prev, jv.bySeq[s.Seq], true); p != nil {
			p.de = fmt.Sprintf("Zeitstempel über Protokolleintrag %d (gespeichert %s) ungültig: %s", s.Seq, when, p.de)
			p.en = fmt.Sprintf("timestamp over journal entry %d (stored %s) invalid: %s", s.Seq, when, p.en)
			rep.addProblem(fmt.Sprintf("journal-stamp-%d", s.Seq), p, "", "")
			continue
		}
		good++
		if s.Token != nil {
			tokens++
		}
		if s.Seal != nil {
			seals++
		}
		last = s
		jv.anchored = journalAnchor{seq: s.Seq, hash: s.Hash, source: "Kontrollpunkt / checkpoint " + when}
	}
	if good == 0 {
		return stamps
	}
	at := last.Time.UTC().Format("2006-01-02 15:04:05Z")
	rep.add("journal-stamps", OK, "%[1]d Kontrollpunkte über den Protokollkopf gültig (%[2]d mit Zeitstempel, %[3]d gesiegelt), der neueste über Eintrag %[4]d (%[5]s; TSA und Siegel vertrauenswürdig)",
		"%[2]d timestamps over the journal head valid, %[3]d sealed; %[1]d checkpoints, the newest over entry %[4]d (%[5]s; TSA trusted)",
		good, tokens, seals, last.Seq, at)
	return stamps
}

// checkStamp returns why one checkpoint is broken (nil if it is valid):
// the entry it names must exist with its hash; its data must name that
// entry and the previous checkpoint (so a deleted checkpoint breaks the
// next one); its timestamp must verify against the TSA anchors and its
// seal against the batch anchors; it needs at least one of them. A stamp
// from before checkpoints (no data) covers the hash's hex text and names
// no predecessor. Without chain the predecessor is not checked (a copy
// checked on its own).
func (v *Verifier) checkStamp(s, prev *JournalStamp, e *mailroom.JournalEntry, chain bool) *problem {
	if e == nil {
		return broken("Eintrag %d fehlt im Protokoll", "entry %d missing from the journal", s.Seq)
	}
	if e.Hash != s.Hash {
		return broken("gespeicherter Hash %.16s… ist nicht der Hash %.16s… des Eintrags", "stored hash %.16s… is not the entry's hash %.16s…", s.Hash, e.Hash)
	}
	if s.Data != nil {
		if p := checkpointFields(s, prev, chain); p != nil {
			return p
		}
	}
	if s.Token == nil && s.Seal == nil {
		return broken("weder Zeitstempel noch Siegel", "neither timestamp nor seal")
	}
	var worst *problem
	if s.Token != nil {
		if _, p := verifyToken(s.Token, s.data(), v.tsa); p != nil {
			worst = p
		}
	}
	if s.Seal != nil {
		_, sp, tp := verifySeal(s.Seal, s.data(), v.batch, v.tsa)
		for _, p := range []*problem{sp, tp} {
			if p != nil && (worst == nil || worst.unverifiable && !p.unverifiable) {
				worst = p
			}
		}
	}
	return worst
}

// checkpointFields checks a checkpoint's data against its row and (with
// chain) its predecessor.
func checkpointFields(s, prev *JournalStamp, chain bool) *problem {
	t, err := parseCheckpointData(s.Data)
	if err != nil {
		return broken("Kontrollpunkt unlesbar: %v", "checkpoint unreadable: %v", err)
	}
	if t.seq != s.Seq || t.hash != s.Hash || t.prev != s.Prev {
		return broken("Text des Kontrollpunkts nennt Eintrag %d, nicht den gespeicherten", "checkpoint text names entry %d, not the stored one", t.seq)
	}
	want := noPrev
	if prev != nil {
		want = prev.Digest()
	}
	if chain && t.prev != want {
		return broken("der Kontrollpunkt davor fehlt oder ist verändert (Kette der Kontrollpunkte unterbrochen: gelöscht?)",
			"the checkpoint before it is missing or changed (chain of checkpoints broken: deleted?)")
	}
	return nil
}

// checkCheckpointEntries finds checkpoints deleted from the store: every
// ActionCheckpoint entry names a checkpoint (sequence number and digest)
// that must still be stored.
func (v *Verifier) checkCheckpointEntries(rep *Report, jv *journalView, stamps []JournalStamp) {
	have := map[int64]string{}
	for i := range stamps {
		have[stamps[i].Seq] = stamps[i].Digest()
	}
	for _, e := range checkpointEntries(jv) {
		if e.unreadable || have[e.Seq] != e.Digest {
			rep.add(fmt.Sprintf("journal-checkpoint-%d", e.Seq), Fail,
				"Kontrollpunkt über Eintrag %d laut Protokolleintrag %d gemacht, aber nicht (mehr) gespeichert: gelöscht oder ersetzt",
				"checkpoint over entry %d made according to journal entry %d, but not stored (any more): deleted or replaced", e.Seq, e.entry)
		}
	}
}

// checkpointEntry is the detail of an ActionCheckpoint journal entry.
type checkpointEntry struct {
	Seq        int64  `json:"seq"`
	Digest     string `json:"digest"`
	Copied     bool   `json:"copied"`
	entry      int64  // the journal entry's own number
	unreadable bool
}

// checkpointEntries reads the ActionCheckpoint entries of the journal.
func checkpointEntries(jv *journalView) []checkpointEntry {
	var out []checkpointEntry
	for _, e := range jv.entries {
		if e.Action != ActionCheckpoint {
			continue
		}
		var d checkpointEntry
		d.unreadable = json.Unmarshal([]byte(e.Detail), &d) != nil || d.Digest == ""
		d.entry = e.Seq
		out = append(out, d)
	}
	return out
}

// checkCheckpointFiles compares the checkpoint copies outside the data
// directory with the journal and the stored checkpoints: a copy whose
// entry has another hash shows a rewritten journal, one missing from the
// store a deleted checkpoint. Valid copies are anchors.
func (v *Verifier) checkCheckpointFiles(rep *Report, jv *journalView, stamps []JournalStamp) {
	files, err := readCheckpointFiles(v.opts.CheckpointDir)
	if err != nil {
		rep.add("journal-checkpoint-files", Fail, "Kontrollpunkte in %s nicht lesbar: %v", "checkpoints in %s unreadable: %v", v.opts.CheckpointDir, err)
		return
	}
	stored := map[int64]string{}
	for i := range stamps {
		stored[stamps[i].Seq] = stamps[i].Digest()
	}
	v.checkCopiesPresent(rep, jv, files)
	good := 0
	for _, f := range files {
		name := "journal-checkpoint-file-" + f.name
		s := &f.stamp
		if f.err != nil || s.Data == nil {
			rep.add(name, Fail, "Kontrollpunkt-Kopie %s unlesbar: %v", "checkpoint copy %s unreadable: %v", f.name, f.err)
			continue
		}
		if p := v.checkStamp(s, nil, jv.bySeq[s.Seq], false); p != nil {
			rep.addProblem(name, p, "Kopie "+f.name+": ", "copy "+f.name+": ")
			continue
		}
		if stored[s.Seq] != s.Digest() {
			rep.add(name, Fail, "Kontrollpunkt über Eintrag %d fehlt im Datenverzeichnis (gelöscht oder ersetzt), die Kopie %s hat ihn",
				"checkpoint over entry %d missing from the data directory (deleted or replaced); the copy %s has it", s.Seq, f.name)
			continue
		}
		good++
		if s.Seq > jv.anchored.seq {
			jv.anchored = journalAnchor{seq: s.Seq, hash: s.Hash, source: "Kopie / copy " + filepath.Join(v.opts.CheckpointDir, f.name)}
		}
	}
	rep.add("journal-checkpoint-files", OK, "%d Kontrollpunkt-Kopien in %s stimmen mit dem Protokoll überein", "%d checkpoint copies in %s match the journal",
		good, v.opts.CheckpointDir)
}

// checkCopiesPresent finds copies missing from the checkpoint directory:
// every ActionCheckpoint entry that says it was copied names a file.
func (v *Verifier) checkCopiesPresent(rep *Report, jv *journalView, files []checkpointFile) {
	have := map[string]bool{}
	for _, f := range files {
		have[f.name] = true
	}
	for _, d := range checkpointEntries(jv) {
		if d.Copied && !have[CheckpointFileName(d.Seq)] {
			rep.add("journal-checkpoint-file-"+CheckpointFileName(d.Seq), Fail, "Kopie des Kontrollpunkts über Eintrag %d fehlt in %s",
				"copy of the checkpoint over entry %d missing from %s", d.Seq, v.opts.CheckpointDir)
		}
	}
}
