package evidence

import (
	"strings"

	"poststelle/mailroom"
)

// requirements checks what the protection level recorded in the
// Transfervermerk, and the measures it says were applied, require: the
// seal it names (hoch and sehr hoch: one at all), the timestamp it names
// (sehr hoch: one at all), the full QA and, for sehr hoch, four eyes; and
// that something authenticates the material — a trusted seal, a trusted
// batch seal or the journal entry of the approval. Without any of these
// the material is not verifiable, never intact.
func (c *docCheck) requirements() {
	tv, rep := c.tv, c.rep
	level := mailroom.Protection(tv.Dokument.Schutzbedarf)
	if level == "" {
		level = mailroom.ProtectionNormal
	}
	in := tv.Integritaet
	pades, cades := strings.HasPrefix(in.Siegel, "PAdES"), strings.HasPrefix(in.Siegel, "CAdES")
	high := level == mailroom.ProtectionHoch || level == mailroom.ProtectionSehrHoch
	var missing []string
	switch {
	case pades && !rep.has("seal"):
		rep.add("seal", Fail, "laut Transfervermerk gesiegelt (%s), aber das PDF trägt kein Siegel", "sealed per Transfervermerk (%s), but the PDF carries no seal", in.Siegel)
	case cades && !rep.has("seal-detached"):
		rep.add("seal-detached", Fail, "laut Transfervermerk abgesetzt gesiegelt, aber %s fehlt", "sealed detached per Transfervermerk, but %s is missing", mailroom.FileDetachedSeal)
	case !pades && !cades && high:
		missing = append(missing, "Siegel / seal")
	}
	named := in.Zeitstempel != "" && in.Zeitstempel != "keiner"
	if (named || level == mailroom.ProtectionSehrHoch) && !c.stamped {
		rep.add("timestamp", Fail, "Zeitstempel verlangt (Schutzbedarf %s, Transfervermerk: %q), aber keiner vorhanden",
			"timestamp required (protection %s, Transfervermerk: %q), but there is none", level, in.Zeitstempel)
	}
	if high {
		missing = append(missing, c.qaMissing(level == mailroom.ProtectionSehrHoch)...)
	}
	if len(missing) > 0 {
		rep.add("protection", Fail, "Schutzbedarf %s verlangt, was fehlt: %s", "protection %s requires what is missing: %s", level, strings.Join(missing, ", "))
	} else {
		rep.add("protection", OK, "Schutzbedarf %s: %s", "protection %s: %s", level, in.Massnahme)
	}
	if !(c.sealed || c.sealedDetached || c.batchSigned || c.journaled) && rep.Outcome() != Broken {
		rep.add("authenticity", Unverifiable,
			"nichts belegt die Herkunft: kein vertrauenswürdiges Siegel, kein Stapelsiegel, kein Protokolleintrag der Freigabe (--trust, --data-dir)",
			"nothing proves the origin: no trusted seal, no batch seal, no journal entry of the approval (--trust, --data-dir)")
	}
}

// qaMissing lists what the Transfervermerk lacks of the QA that hoch and
// sehr hoch require: a full, passed check with the match confirmed, and for
// sehr hoch a known scanner other than the checker and the approver.
func (c *docCheck) qaMissing(fourEyes bool) []string {
	t := c.tv
	var out []string
	if t.QS.Art != "vollstaendig" || !t.QS.Durchgefuehrt || !t.QS.Bestanden || !t.Uebereinstimmung.Bestaetigt {
		out = append(out, "vollständige bestandene Sichtprüfung / full passed visual check")
	}
	if fourEyes {
		v := t.Verantwortlich
		if v.Erfassung == "" || strings.EqualFold(v.Erfassung, v.Freigabe) || strings.EqualFold(v.Erfassung, v.Pruefung) {
			out = append(out, "Vier-Augen-Prinzip / four eyes")
		}
	}
	return out
}
