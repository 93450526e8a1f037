package evidence

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"time"

	"poststelle/mailroom"
)

// Namespace is the XML namespace of the Transfervermerk (docs/transfervermerk.xsd).
const Namespace = "urn:poststelle:transfervermerk:1"

// FileName is the name of the Transfervermerk beside the PDF and inside it.
const FileName = "transfervermerk.xml"

// Statements written into the Transfervermerk (A.NB.4 f and the automatic approval).
const (
	StatementMatch = "Das Scanprodukt stimmt bildlich und inhaltlich mit dem Original überein; dies wurde bei der " +
		"Qualitätssicherung durch Sichtprüfung bestätigt. / The scan product matches the original in image and content, " +
		"confirmed by visual quality check."
	StatementSampleNotSelected = "Das Dokument wurde nicht für die Stichprobe der Qualitätssicherung ausgewählt; die bildliche " +
		"und inhaltliche Übereinstimmung beruht auf dem geprüften Scanprozess (siehe Verfahrensdokumentation). / Not selected " +
		"for the QA sample; the match of image and content rests on the tested scanning process (see procedure documentation)."
	StatementAutomatic = "Automatisch freigegeben ohne Sichtprüfung gemäß Profil; die bildliche und inhaltliche " +
		"Übereinstimmung beruht auf dem geprüften Scanprozess (siehe Verfahrensdokumentation). / Approved automatically " +
		"without visual check as configured in the profile."
	StatementNoMatch = "Die Qualitätssicherung hat die bildliche und inhaltliche Übereinstimmung NICHT bestätigt. / " +
		"The quality check did NOT confirm the match of image and content."
)

// Transfervermerk is the transfer note of one scan product (TR-RESISCAN A.NB.4 a–f).
type Transfervermerk struct {
	XMLName    xml.Name `xml:"urn:poststelle:transfervermerk:1 Transfervermerk"`
	Version    int      `xml:"version,attr"`
	DocumentID string   `xml:"dokumentId,attr"`

	Dokument         TVDokument         `xml:"Dokument"`
	Verantwortlich   TVVerantwortlich   `xml:"Verantwortlich"`      // a)
	Umgebung         TVUmgebung         `xml:"Umgebung"`            // b)
	Auffaellig       TVAuffaellig       `xml:"Auffaelligkeiten"`    // c)
	Zeitpunkte       TVZeitpunkte       `xml:"Zeitpunkte"`          // d)
	QS               TVQS               `xml:"Qualitaetssicherung"` // e)
	Uebereinstimmung TVUebereinstimmung `xml:"Uebereinstimmung"`    // f)
	Integritaet      TVIntegritaet      `xml:"Integritaetssicherung"`
	// Protokoll is the journal head when the Transfervermerk was made: it
	// anchors the journal outside the data directory (in the DMS).
	Protokoll *TVProtokoll `xml:"Protokoll,omitempty"`
}

// TVProtokoll names a journal entry and its hash (a journal anchor).
type TVProtokoll struct {
	Eintrag int64  `xml:"eintrag,attr"`
	Hash    string `xml:"hash,attr"`
}

// TVDokument identifies the scan product and its original.
type TVDokument struct {
	ID           string   `xml:"Id"`
	StapelID     string   `xml:"StapelId"`
	Position     int      `xml:"Position"`
	Seiten       string   `xml:"Seiten"` // source page numbers, space separated
	Klasse       string   `xml:"Dokumentklasse,omitempty"`
	Schutzbedarf string   `xml:"Schutzbedarf"`
	Original     TVDatei  `xml:"Original"`
	Scanprodukt  *TVDatei `xml:"Scanprodukt,omitempty"`
}

// TVDatei is a file with its hash.
type TVDatei struct {
	Name      string `xml:"name,attr"`
	SHA256    string `xml:"sha256,attr"`
	Groesse   int64  `xml:"groesse,attr"`
	Medientyp string `xml:"medientyp,attr,omitempty"`
}

// TVVerantwortlich names the responsible natural persons.
type TVVerantwortlich struct {
	Freigabe  string `xml:"Freigabe"`            // the person who approved (responsible)
	Erfassung string `xml:"Erfassung,omitempty"` // the person who scanned, if known
	Pruefung  string `xml:"Pruefung,omitempty"`  // the person who did the QA
}

// TVUmgebung is the technical and organisational environment.
type TVUmgebung struct {
	Software                string `xml:"Software"`
	Version                 string `xml:"Version"`
	Instanz                 string `xml:"Instanz"`
	Profil                  string `xml:"Profil"`
	Quelle                  string `xml:"Quelle"`
	Scanner                 string `xml:"Scanner,omitempty"`
	Verfahrensdokumentation string `xml:"Verfahrensdokumentation"`
}

// TVAuffaellig lists anomalies of the original and of the processing.
type TVAuffaellig struct {
	Keine     bool     `xml:"keine,attr"`
	Eintraege []string `xml:"Auffaelligkeit"`
}

// TVZeitpunkte are the times of capture, metadata, QA, approval and sealing.
type TVZeitpunkte struct {
	Erfassung             time.Time  `xml:"Erfassung"`
	Metadaten             *time.Time `xml:"Metadaten,omitempty"`
	Qualitaetssicherung   *time.Time `xml:"Qualitaetssicherung,omitempty"`
	Freigabe              time.Time  `xml:"Freigabe"`
	Integritaetssicherung time.Time  `xml:"Integritaetssicherung"`
}

// TVQS is the QA result including completeness.
type TVQS struct {
	Art             string  `xml:"art,attr"` // vollstaendig, stichprobe, keine
	Durchgefuehrt   bool    `xml:"Durchgefuehrt"`
	Bestanden       bool    `xml:"Bestanden"`
	Vollstaendig    *bool   `xml:"Vollstaendig,omitempty"`
	ErwarteteSeiten int     `xml:"ErwarteteSeiten,omitempty"`
	Seiten          int     `xml:"Seiten"`
	Lesbar          *bool   `xml:"Lesbar,omitempty"`
	Bemerkung       string  `xml:"Bemerkung,omitempty"`
	Stichprobensatz float64 `xml:"Stichprobensatz,omitempty"`
}

// TVUebereinstimmung is the statement of image and content match.
type TVUebereinstimmung struct {
	Bestaetigt           bool   `xml:"bestaetigt,attr"`
	AutomatischeFreigabe bool   `xml:"automatischeFreigabe,attr"`
	Text                 string `xml:",chardata"`
}

// TVIntegritaet describes the integrity measures applied.
type TVIntegritaet struct {
	Siegel      string `xml:"Siegel"`                // PAdES, CAdES, keines
	Niveau      string `xml:"Niveau"`                // fortgeschritten, qualifiziert, keines
	Zertifikat  string `xml:"Zertifikat,omitempty"`  // subject of the seal certificate
	Zeitstempel string `xml:"Zeitstempel,omitempty"` // TSA URL (without credentials) or "keiner"
	Massnahme   string `xml:"Massnahme"`             // what the protection level requires, as applied
	Einbettung  string `xml:"Einbettung,omitempty"`  // EmbeddedInPDF or BesideOnly
}

// Marshal renders the Transfervermerk as indented UTF-8 XML.
func (t *Transfervermerk) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ParseTransfervermerk reads a Transfervermerk. Bad XML is a mailroom.BadInput.
func ParseTransfervermerk(data []byte) (*Transfervermerk, error) {
	var t Transfervermerk
	if err := xml.Unmarshal(data, &t); err != nil {
		return nil, mailroom.BadInput("Transfervermerk ist kein gültiges XML", "Transfervermerk is not valid XML", err)
	}
	if t.XMLName.Space != Namespace || t.DocumentID == "" {
		return nil, mailroom.BadInput("Transfervermerk: falscher Namensraum oder keine Dokument-ID",
			"Transfervermerk: wrong namespace or no document id", nil)
	}
	return &t, nil
}

// Input is what a Transfervermerk is made from.
type Input struct {
	Doc      *mailroom.Document
	Batch    *mailroom.Batch
	Approval mailroom.Approval
	Config   *mailroom.Config
	Version  string   // software version
	Product  *TVDatei // the scan product before evidence was added; nil if there is none
	Scanner  string   // the person who scanned ("" = unknown)
	Sampled  bool     // normal level: selected for the QA sample
	Sealed   TVIntegritaet
	Journal  *TVProtokoll // the journal head before the approval's evidence entry
	Now      time.Time
}

// Build makes the Transfervermerk of a document at approval.
func Build(in Input) *Transfervermerk {
	d, b, a := in.Doc, in.Batch, in.Approval
	t := &Transfervermerk{Version: 1, DocumentID: d.ID}
	pages := make([]string, len(d.Pages))
	for i, p := range d.Pages {
		pages[i] = fmt.Sprint(p)
	}
	prot := d.Protection
	if prot == "" {
		prot = mailroom.ProtectionNormal
	}
	t.Dokument = TVDokument{ID: d.ID, StapelID: b.ID, Position: d.Seq, Seiten: strings.Join(pages, " "),
		Klasse: d.Metadata["document_class"], Schutzbedarf: string(prot),
		Original:    TVDatei{Name: b.Filename, SHA256: b.SHA256, Groesse: b.Size, Medientyp: b.MediaType},
		Scanprodukt: in.Product}
	t.Verantwortlich = TVVerantwortlich{Freigabe: a.Person, Erfassung: in.Scanner}
	if a.QA != nil {
		t.Verantwortlich.Pruefung = a.QA.Person
	}
	instance, proc := "", ""
	if in.Config != nil {
		instance, proc = in.Config.Instance, in.Config.ProcedureDoc
	}
	t.Umgebung = TVUmgebung{Software: "Poststelle", Version: in.Version, Instanz: instance, Profil: b.Profile,
		Quelle: b.Source, Scanner: firstNonEmpty(b.Metadata["scanner"], d.Metadata["scanner"]), Verfahrensdokumentation: proc}
	var anomalies []string
	if a.QA != nil {
		anomalies = append(anomalies, a.QA.Anomalies...)
	}
	for _, f := range d.Flags {
		anomalies = append(anomalies, "Verarbeitung: "+f)
	}
	sort.Strings(anomalies[min(len(anomalies), qaCount(a.QA)):])
	t.Auffaellig = TVAuffaellig{Keine: len(anomalies) == 0, Eintraege: anomalies}
	t.Zeitpunkte = TVZeitpunkte{Erfassung: b.ReceivedAt.UTC(), Freigabe: a.Time.UTC(), Integritaetssicherung: in.Now.UTC()}
	if !d.UpdatedAt.IsZero() && d.UpdatedAt.Sub(b.ReceivedAt) > time.Minute {
		m := d.UpdatedAt.UTC()
		t.Zeitpunkte.Metadaten = &m
	}
	qs := TVQS{Art: "keine", Seiten: len(d.Pages)}
	if in.Config != nil && prot == mailroom.ProtectionNormal {
		qs.Stichprobensatz = in.Config.Evidence.QASampleRate
	}
	if q := a.QA; q != nil {
		qt := q.Time.UTC()
		t.Zeitpunkte.Qualitaetssicherung = &qt
		qs.Art = "vollstaendig"
		if prot == mailroom.ProtectionNormal {
			qs.Art = "stichprobe"
			if !in.Sampled {
				qs.Art = "freiwillig"
			}
		}
		qs.Durchgefuehrt, qs.Bestanden = true, q.Passed()
		c, l := q.Complete, q.Legible
		qs.Vollstaendig, qs.Lesbar = &c, &l
		qs.ErwarteteSeiten = q.ExpectedPages
		if q.ActualPages > 0 {
			qs.Seiten = q.ActualPages
		}
		qs.Bemerkung = q.Note
	}
	t.QS = qs
	switch {
	case a.QA != nil && a.QA.Matches:
		t.Uebereinstimmung = TVUebereinstimmung{Bestaetigt: true, Text: StatementMatch}
	case a.QA != nil:
		t.Uebereinstimmung = TVUebereinstimmung{Text: StatementNoMatch}
	case a.Automatic:
		t.Uebereinstimmung = TVUebereinstimmung{AutomatischeFreigabe: true, Text: StatementAutomatic}
	default:
		t.Uebereinstimmung = TVUebereinstimmung{Text: StatementSampleNotSelected}
	}
	if a.Automatic {
		t.Uebereinstimmung.AutomatischeFreigabe = true
	}
	t.Integritaet = in.Sealed
	t.Protokoll = in.Journal
	return t
}

func qaCount(q *mailroom.QAResult) int {
	if q == nil {
		return 0
	}
	return len(q.Anomalies)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
