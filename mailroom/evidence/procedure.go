package evidence

import (
	"fmt"
	"io"
	"strings"

	"poststelle/mailroom"
)

// WriteProcedure renders the effective configuration as a draft procedure
// documentation (Verfahrensdokumentation) in German Markdown: profiles,
// protection levels, QA rates, seal, timestamping, retention.
func WriteProcedure(w io.Writer, cfg *mailroom.Config, version string) error {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	e := cfg.Evidence
	p("# Verfahrensdokumentation ersetzendes Scannen – Entwurf")
	p("")
	p("*Erzeugt von Poststelle %s aus der wirksamen Konfiguration (%s). Entwurf: von der verantwortlichen Stelle zu prüfen, zu ergänzen und freizugeben.*", version, orEmbedded(cfg.Path()))
	p("")
	p("- Installation (Instanz): %s", cfg.Instance)
	p("- Referenz im Transfervermerk: „%s“", cfg.ProcedureDoc)
	p("- Grundlage: BSI TR-03138 (TR-RESISCAN) v1.5")
	p("")
	p("## 1 Ablauf")
	p("")
	p("Eingang (Scanner-Ordner, Postfach, Kommandozeile) → Ablage des Originals unverändert mit SHA-256 → Trennung in Dokumente (Trennblätter, Patchcodes, Barcodes) → Texterkennung und PDF/A → Prüfung am Arbeitsplatz (Metadaten, Qualitätssicherung) → Freigabe → Transfervermerk, Siegel, Zeitstempel → Übergabe an das DMS → Vernichtungsfreigabe der Papieroriginale.")
	p("")
	p("Jeder Schritt wird im hash-verketteten Protokoll festgehalten (Eingang, Trennung, Seitenbearbeitung, Metadatenänderung, QS-Ergebnis, Freigabe, Export, Konfigurationsänderung, Anmeldungen, Fehler; A.SC.11).")
	p("")
	p("## 2 Profile und Schutzbedarf")
	p("")
	p("| Profil | Quelle | Fachbereich | Dokumentklasse | Schutzbedarf | automatische Freigabe |")
	p("|---|---|---|---|---|---|")
	for _, f := range cfg.Folders {
		p("| %s | Ordner %s | %s | %s | %s | %s |", f.Name, f.Path, dash(f.Department), dash(f.Class), f.Protection, yesNo(f.AutoApprove))
	}
	for _, a := range cfg.Mail.Accounts {
		p("| %s | Postfach | %s | %s | %s | %s |", a.Name, dash(a.Department), dash(a.Class), protOrNormal(a.Protection), yesNo(a.AutoApprove))
	}
	p("")
	p("## 3 Qualitätssicherung und Vier-Augen-Prinzip (A.SC.8)")
	p("")
	p("| Schutzbedarf | Qualitätssicherung | Personen | Integritätssicherung |")
	p("|---|---|---|---|")
	p("| normal | Stichprobe: %.1f %% der Dokumente, ausgewählt reproduzierbar aus der Dokument-ID (SHA-256); ausgewählte Dokumente werden erst nach bestandener Sichtprüfung freigegeben | – | %s |", e.QASampleRate*100, sealText(e, "normal"))
	p("| hoch | vollständige Sichtprüfung jedes Dokuments; keine automatische Freigabe | Protokollierung aller Zugriffe | %s |", sealText(e, "hoch"))
	p("| sehr hoch | vollständige Sichtprüfung; keine automatische Freigabe | Vier Augen: die scannende Person (Metadatum `scanned_by`) darf weder prüfen noch freigeben | %s |", sealText(e, "sehr hoch"))
	p("")
	p("Die Sichtprüfung erfasst Vollständigkeit (erwartete und tatsächliche Seitenzahl), Lesbarkeit, bildliche und inhaltliche Übereinstimmung sowie Auffälligkeiten des Originals (Kopie, beschädigt, unvollständig).")
	p("")
	p("## 4 Transfervermerk (A.NB.4)")
	p("")
	p("Für jedes Dokument entsteht bei der Freigabe ein Transfervermerk (XML, Schema docs/transfervermerk.xsd) mit verantwortlicher Person, Umgebung (Software, Version, Instanz, Profil, Quelle, Verweis auf diese Verfahrensdokumentation), Auffälligkeiten, Zeitpunkten von Erfassung, Metadaten, QS und Integritätssicherung, QS-Ergebnis mit Vollständigkeit und der Aussage zur bildlichen und inhaltlichen Übereinstimmung. Er ist über die Dokument-UUID gebunden, als zugehörige Datei (PDF/A-3, /AF) in das PDF eingebettet, in dessen XMP zusammengefasst und liegt als transfervermerk.xml daneben.")
	p("")
	p("## 5 Siegel und Zeitstempel (A.IS.1)")
	p("")
	if e.SealP12 != "" {
		p("- Siegel: fortgeschrittenes elektronisches Siegel aus %s, als PAdES-Signatur (PAdES-Basic) im PDF; wo das PDF unverändert bleiben muss (signierte Eingänge, E-Rechnungen) als abgesetzte CMS-Signatur über den Transfervermerk. Das Siegel ist die letzte Änderung am PDF.", e.SealP12)
	} else {
		p("- Siegel: **nicht konfiguriert**. Integrität nur über die Hash-Kette des Protokolls; für Schutzbedarf „hoch“ und „sehr hoch“ verweigert Poststelle die Freigabe.")
	}
	if e.TSA != "" {
		p("- Zeitstempel: RFC-3161-Zeitstempeldienst %s; Signaturzeitstempel in jedem Siegel; Kopf der Protokoll-Hash-Kette alle %s.", e.TSA, e.JournalTimestampInterval.Duration)
	} else {
		p("- Zeitstempel: **nicht konfiguriert** (für Schutzbedarf „sehr hoch“ erforderlich).")
	}
	p("- Stapelsiegel: über jeden vollständig freigegebenen Stapel ein Hash-Baum (RFC 6962) mit Einschlussnachweis je Dokument (batchseal.json).")
	p("- Prüfung: `poststelle verify` prüft Dokument-Hash, Transfervermerk, Siegel, Zeitstempel und Protokollkette.")
	p("- Hinweis: Schutzbedarf „hoch“ und „sehr hoch“ verlangen nach TR-03138 *qualifizierte* Siegel und (sehr hoch) qualifizierte Zeitstempel; dafür ist ein qualifizierter Vertrauensdiensteanbieter anzubinden.")
	p("")
	p("## 6 Aufbewahrung und Vernichtung der Papieroriginale")
	p("")
	p("Papieroriginale eines Stapels dürfen vernichtet werden, wenn alle Dokumente exportiert (oder abgelehnt) sind, die vorgeschriebene Qualitätssicherung erfolgt ist, seit dem Export %d Tage vergangen sind und der Fachbereich die Vernichtung freigegeben hat (`poststelle destruction release`). Die Liste erzeugt `poststelle destruction list --pdf/--csv`.", e.RetentionDays)
	p("")
	p("## 7 Übergabe an das DMS")
	p("")
	if len(cfg.Targets) == 0 {
		p("Kein Ziel konfiguriert.")
	}
	for _, t := range cfg.Targets {
		p("- %s (%s)", t.Name, t.Type)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orEmbedded(p string) string {
	if p == "" {
		return "eingebaute Voreinstellung"
	}
	return p
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "ja (ohne Sichtprüfung, im Transfervermerk vermerkt)"
	}
	return "nein"
}

func protOrNormal(p mailroom.Protection) mailroom.Protection {
	if p == "" {
		return mailroom.ProtectionNormal
	}
	return p
}

func sealText(e mailroom.EvidenceConfig, level string) string {
	s := "Hash-Kette im Protokoll"
	if e.SealP12 != "" {
		s = "fortgeschrittenes Siegel (PAdES)"
	}
	if e.TSA != "" {
		s += " + Zeitstempel"
	}
	return s
}
