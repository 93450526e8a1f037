package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/api"
	"poststelle/mailroom/store"
)

func init() {
	register("status", "documents per state, sources, the oldest waiting item", runStatus)
}

type statusReport struct {
	DataDir string                 `json:"data_dir"`
	Counts  map[mailroom.State]int `json:"counts"`
	Sources []store.SourceCount    `json:"sources"`
	Oldest  *oldestItem            `json:"oldest_waiting,omitempty"`
	API     *apiStatus             `json:"api,omitempty"`
}

// apiStatus is the HTTPS API's address and certificate ([api]).
type apiStatus struct {
	Listen      string `json:"listen"`
	Certificate string `json:"certificate"`
	SHA256      string `json:"sha256,omitempty"` // "" until serve made it
}

type oldestItem struct {
	Document string         `json:"document"`
	State    mailroom.State `json:"state"`
	Since    time.Time      `json:"since"`
	Age      string         `json:"age"`
}

func collectStatus(ctx context.Context, cfg *mailroom.Config, st *store.Store) (*statusReport, error) {
	counts, err := st.Counts(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range mailroom.AllStates {
		if _, ok := counts[s]; !ok {
			counts[s] = 0
		}
	}
	srcs, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	r := &statusReport{DataDir: cfg.DataDir, Counts: counts, Sources: srcs}
	if cfg.API.Enabled() {
		fp, file, err := api.Fingerprint(cfg)
		if err != nil {
			return nil, err
		}
		r.API = &apiStatus{Listen: cfg.API.Listen, Certificate: file, SHA256: fp}
	}
	waiting, err := st.Documents(ctx, mailroom.DocFilter{States: []mailroom.State{mailroom.StateReceived, mailroom.StateSplitting,
		mailroom.StateRecognising, mailroom.StateReview, mailroom.StateApproved, mailroom.StateExporting, mailroom.StateQuarantined}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(waiting) > 0 {
		d := waiting[0]
		r.Oldest = &oldestItem{Document: d.ID, State: d.State, Since: d.CreatedAt, Age: time.Since(d.CreatedAt).Round(time.Second).String()}
	}
	return r, nil
}

func runStatus(ctx context.Context, args []string) error {
	fs, cf := commandFlags("status")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := cf.open()
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := collectStatus(ctx, cfg, st)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Printf("Datenverzeichnis / data directory: %s\n\nDokumente je Status / documents per state:\n", r.DataDir)
	for _, s := range mailroom.AllStates {
		fmt.Printf("  %-12s %6d\n", s, r.Counts[s])
	}
	fmt.Printf("\nQuellen / sources:\n")
	if len(r.Sources) == 0 {
		fmt.Printf("  (noch nichts eingegangen / nothing received yet)\n")
	}
	for _, s := range r.Sources {
		fmt.Printf("  %-28s %6d Stapel/batches, zuletzt/last %s\n", s.Source, s.Batches, s.Last.Local().Format("2006-01-02 15:04:05"))
	}
	if a := r.API; a != nil {
		fp := a.SHA256
		if fp == "" {
			fp = "(noch nicht erzeugt / not made yet: serve makes it)"
		}
		fmt.Printf("\nAPI: https://%s\n  Zertifikat / certificate: %s\n  SHA-256: %s\n", a.Listen, a.Certificate, fp)
	}
	if r.Oldest != nil {
		fmt.Printf("\nÄltestes wartendes Dokument / oldest waiting: %s (%s, seit/since %s, %s)\n", r.Oldest.Document, r.Oldest.State,
			r.Oldest.Since.Local().Format("2006-01-02 15:04:05"), r.Oldest.Age)
	}
	return nil
}
