package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Lang is a display language: "de" (default) or "en".
type Lang string

// Languages.
const (
	German  Lang = "de"
	English Lang = "en"
)

// texts holds every string the clerk sees: German first, then English.
var texts = map[string][2]string{
	"app.title":            {"Poststelle – Prüfplatz", "Poststelle – verification desk"},
	"tab.inbox":            {"Eingang", "Inbox"},
	"tab.document":         {"Dokument", "Document"},
	"tab.qa":               {"Prüfung", "Quality check"},
	"tab.quarantine":       {"Quarantäne", "Quarantine"},
	"tab.journal":          {"Protokoll", "Journal"},
	"login.title":          {"Anmeldung am Prüfplatz", "Log in to the desk"},
	"login.user":           {"Benutzer", "User"},
	"login.password":       {"Passwort", "Password"},
	"login.button":         {"Anmelden", "Log in"},
	"login.os":             {"Keine Bearbeiter konfiguriert: Anmeldung als Systembenutzer %s", "No operators configured: logging in as system user %s"},
	"login.as":             {"Angemeldet: %s", "Logged in: %s"},
	"lang":                 {"Sprache", "Language"},
	"col.source":           {"Quelle", "Source"},
	"col.file":             {"Datei", "File"},
	"col.age":              {"Alter", "Age"},
	"col.class":            {"Klasse", "Class"},
	"col.pages":            {"Seiten", "Pages"},
	"col.protection":       {"Schutzbedarf", "Protection"},
	"col.flags":            {"Hinweise", "Flags"},
	"col.state":            {"Status", "State"},
	"col.reason":           {"Grund", "Reason"},
	"filter":               {"Filtern (Quelle, Datei, Klasse, Hinweis) …", "Filter (source, file, class, flag) …"},
	"sort":                 {"Sortieren", "Sort"},
	"sort.age":             {"Älteste zuerst", "Oldest first"},
	"sort.newest":          {"Neueste zuerst", "Newest first"},
	"sort.source":          {"Quelle", "Source"},
	"sort.pages":           {"Seitenzahl", "Page count"},
	"sort.class":           {"Klasse", "Class"},
	"working":              {"In Arbeit: %d Dokumente (Eingang, Trennung, Erkennung)", "In progress: %d documents (intake, splitting, recognition)"},
	"idle":                 {"Keine laufende Verarbeitung", "No work in progress"},
	"nodoc":                {"Kein Dokument geöffnet – im Eingang auswählen (Pfeiltasten und Leertaste, oder Alt+↓)", "No document open – pick one in the inbox (arrow keys and Space, or Alt+↓)"},
	"page.of":              {"Seite %d von %d (Original-Seite %d)", "Page %d of %d (original page %d)"},
	"page":                 {"Seite %d", "Page %d"},
	"rotate.left":          {"Links drehen", "Rotate left"},
	"rotate.right":         {"Rechts drehen", "Rotate right"},
	"delete":               {"Seite löschen", "Delete page"},
	"restore":              {"Gelöschte Seite %d wiederherstellen", "Restore deleted page %d"},
	"move.up":              {"Seite nach vorn", "Move page up"},
	"move.down":            {"Seite nach hinten", "Move page down"},
	"split":                {"Hier trennen", "Split here"},
	"merge":                {"Mit nächstem zusammenführen", "Merge with next"},
	"apply":                {"Seitenänderungen übernehmen (PDF neu erstellen)", "Apply page changes (re-make PDF)"},
	"changed":              {"Seiten geändert – noch nicht übernommen", "Pages changed – not applied yet"},
	"locked":               {"In Bearbeitung durch %s", "Being worked on by %s"},
	"disconnected":         {"Verbindung zum Server unterbrochen – neuer Versuch läuft …", "Connection to the server lost – retrying …"},
	"reconnected":          {"Verbindung zum Server wiederhergestellt", "Connection to the server restored"},
	"loggedout":            {"Sitzung beendet – bitte neu anmelden", "Session ended – please log in again"},
	"zoom.in":              {"Vergrößern", "Zoom in"},
	"zoom.out":             {"Verkleinern", "Zoom out"},
	"ocr":                  {"Erkannter Text", "Recognised text"},
	"ocr.none":             {"(kein erkannter Text)", "(no recognised text)"},
	"flags":                {"Hinweise: %s", "Flags: %s"},
	"flags.none":           {"keine", "none"},
	"conf":                 {"Erkennungssicherheit %.0f %%", "recognition confidence %.0f %%"},
	"meta":                 {"Metadaten", "Metadata"},
	"meta.save":            {"Metadaten speichern", "Save metadata"},
	"meta.saved":           {"Metadaten gespeichert", "Metadata saved"},
	"meta.required":        {"Pflichtfeld fehlt: %s", "Required field missing: %s"},
	"meta.proposal":        {"Vorschlag", "proposal"},
	"f.protection":         {"Schutzbedarf", "Protection level"},
	"date.invalid":         {"%s muss TT.MM.JJJJ sein", "%s must be DD.MM.YYYY"},
	"qa.title":             {"Qualitätsprüfung nach TR-RESISCAN (A.SC.8)", "Quality check per TR-RESISCAN (A.SC.8)"},
	"qa.complete":          {"Vollständig: Seitenzahl stimmt mit dem Original überein", "Complete: page count matches the original"},
	"qa.expected":          {"Seiten im Original (gezählt)", "Pages in the original (counted)"},
	"qa.legible":           {"Lesbar", "Legible"},
	"qa.matches":           {"Bild und Inhalt stimmen mit dem Original überein", "Image and content match the original"},
	"qa.anomalies":         {"Auffälligkeiten des Originals", "Anomalies of the original"},
	"qa.copy":              {"Original war eine Kopie", "Original was a copy"},
	"qa.damaged":           {"beschädigt", "damaged"},
	"qa.incomplete":        {"unvollständig", "incomplete"},
	"qa.note":              {"Bemerkung", "Note"},
	"qa.save":              {"Prüfung speichern", "Record check"},
	"qa.saved":             {"Prüfung gespeichert: %s, %s", "Check recorded: %s, %s"},
	"qa.recorded":          {"Geprüft von %s am %s – %s", "Checked by %s at %s – %s"},
	"qa.passed":            {"bestanden", "passed"},
	"qa.failed":            {"nicht bestanden", "not passed"},
	"qa.none":              {"Noch keine Prüfung gespeichert", "No check recorded yet"},
	"qa.pagecount":         {"Gezählte Seitenzahl %d weicht von %d Seiten im Scan ab", "Counted %d pages, the scan has %d"},
	"qa.foureyes":          {"Schutzbedarf „sehr hoch“: gescannt von %s – diese Person darf nicht prüfen oder freigeben (Vier-Augen-Prinzip)", "Protection \"sehr hoch\": scanned by %s – this person may neither check nor approve (four eyes)"},
	"qa.foureyes.you":      {"Sie haben dieses Dokument gescannt: Freigabe nur durch eine andere Person", "You scanned this document: approval only by another person"},
	"approve":              {"Freigeben", "Approve"},
	"approved":             {"Freigegeben: %s", "Approved: %s"},
	"reject":               {"Zurückweisen", "Reject"},
	"reject.reason":        {"Grund der Zurückweisung", "Reason for rejection"},
	"rejected":             {"Zurückgewiesen: %s", "Rejected: %s"},
	"retry":                {"Erneut verarbeiten", "Retry"},
	"release":              {"Zur Prüfung freigeben", "Release to review"},
	"journal.filter":       {"Filter (Person, Aktion, Text) …", "Filter (person, action, text) …"},
	"journal.doc":          {"Nur geöffnetes Dokument", "Only the open document"},
	"refresh":              {"Aktualisieren", "Refresh"},
	"shortcuts":            {"Tastenkürzel", "Keyboard shortcuts"},
	"error":                {"Fehler", "Error"},
	"ok":                   {"OK", "OK"},
	"cancel":               {"Abbrechen", "Cancel"},
	"menu.desk":            {"Prüfplatz", "Desk"},
	"menu.doc":             {"Dokument", "Document"},
	"menu.pages":           {"Seiten", "Pages"},
	"menu.help":            {"Hilfe", "Help"},
	"next.page":            {"Nächste Seite", "Next page"},
	"prev.page":            {"Vorherige Seite", "Previous page"},
	"next.doc":             {"Nächstes Dokument", "Next document"},
	"prev.doc":             {"Vorheriges Dokument", "Previous document"},
	"first.field":          {"Zum ersten Metadatenfeld", "To the first metadata field"},
	"split.done":           {"Getrennt: neues Dokument mit %s", "Split: new document with %s"},
	"page.one":             {"Seite", "page"},
	"page.many":            {"Seiten", "pages"},
	"applied":              {"Seitenänderungen übernommen – PDF wird neu erstellt", "Page changes applied – the PDF is being re-made"},
	"state.received":       {"eingegangen", "received"},
	"state.splitting":      {"Trennung", "splitting"},
	"state.recognising":    {"Erkennung", "recognising"},
	"state.review":         {"Prüfung", "review"},
	"state.approved":       {"freigegeben", "approved"},
	"state.exporting":      {"Übergabe", "exporting"},
	"state.exported":       {"übergeben", "exported"},
	"state.quarantined":    {"Quarantäne", "quarantined"},
	"state.rejected":       {"zurückgewiesen", "rejected"},
	"age.min":              {"%d min", "%d min"},
	"age.h":                {"%d h", "%d h"},
	"age.d":                {"%d Tage", "%d days"},
	"flag.blank-page":      {"leere Seite", "blank page"},
	"flag.low-confidence":  {"unsichere Erkennung", "low confidence"},
	"flag.rotated":         {"gedreht", "rotated"},
	"flag.deskewed":        {"begradigt", "deskewed"},
	"flag.separator":       {"Trenn-/Indexblatt", "separator/index sheet"},
	"flag.pages-changed":   {"Seiten geändert", "pages changed"},
	"flag.e-invoice":       {"E-Rechnung", "e-invoice"},
	"flag.signed":          {"signiert", "signed"},
	"flag.born-digital":    {"digital erzeugt", "born digital"},
	"flag.duplicate":       {"Duplikat", "duplicate"},
	"flag.separators-only": {"nur Trennblätter", "separators only"},
	"col.proposals":        {"Trennvorschläge", "Split proposals"},
	"proposal.accept":      {"Trennvorschlag annehmen", "Accept split proposal"},
	"proposal.dismiss":     {"Trennvorschlag verwerfen", "Dismiss split proposal"},
	"proposal.mark":        {"neues Dokument", "new document"},
	"proposal.here":        {"Trennvorschlag: hier beginnt ein neues Dokument (Wert %s): %s. %s annehmen, %s verwerfen.", "Split proposal: a new document starts here (score %s): %s. %s accepts, %s dismisses."},
	"proposal.count":       {"%d Trennvorschläge in diesem Dokument – %s zeigt den nächsten", "%d split proposals in this document – %s shows the next"},
	"proposal.none":        {"Keine Trennvorschläge", "No split proposals"},
	"proposal.accepted":    {"Getrennt vor Originalseite %d: neues Dokument mit %s", "Split before original page %d: new document with %s"},
	"proposal.dismissed":   {"Trennvorschlag vor Originalseite %d verworfen", "Split proposal before original page %d dismissed"},
	"not.review":           {"Dokument ist im Status „%s“ – nur Dokumente in Prüfung können bearbeitet werden", "Document is \"%s\" – only documents in review can be edited"},

	// Set by mailroom/inbox on mails whose MIME structure could not be read completely.
	"flag.attachments-unreadable": {"Anhänge konnten nicht gelesen werden", "attachments could not be read"},

	// Flags of mailroom/signature.
	"flag.signer-not-sender":     {"Unterzeichner ist nicht der Absender", "signer is not the sender"},
	"flag.changed-after-signing": {"nach der Signatur geändert", "changed after signing"},
}

// T returns the text for key in language l, formatted with args.
func (l Lang) T(key string, args ...any) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	s := t[0]
	if l == English {
		s = t[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Flags returns flags as the clerk reads them (known flags translated).
func (l Lang) Flags(flags []string) string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		if _, ok := texts["flag."+f]; ok {
			out = append(out, l.T("flag."+f))
		} else {
			out = append(out, f)
		}
	}
	return strings.Join(out, ", ")
}

// Reason is the part of a stored reason in the language l. Reasons of bad
// input are stored "German / English (detail)" (mailroom.InputError.Reason);
// the row shows the clerk's language and the detail, the selected row's
// full text stays available below the list. Other reasons come back as they
// are.
func (l Lang) Reason(reason string) string {
	de, rest, ok := strings.Cut(reason, " / ")
	if !ok {
		return reason
	}
	if l != English {
		if i := strings.LastIndex(rest, " ("); i >= 0 && strings.HasSuffix(rest, ")") {
			return de + rest[i:]
		}
		return de
	}
	return rest
}

// Number formats a score or weight: one or two decimals as needed, a
// decimal comma in German; signed adds "+" (and "−" for negative values).
func (l Lang) Number(x float64, signed bool) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s) > i+3 {
		s = strconv.FormatFloat(math.Abs(x), 'f', 2, 64)
	}
	if l != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	switch {
	case x < 0:
		s = "−" + s
	case signed:
		s = "+" + s
	}
	return s
}

// Pages is a page count as the clerk reads it: "1 Seite", "11 Seiten".
func (l Lang) Pages(n int) string {
	if n == 1 {
		return "1 " + l.T("page.one")
	}
	return fmt.Sprintf("%d %s", n, l.T("page.many"))
}
