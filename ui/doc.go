// Package ui is the verification desk: Fyne views for the mailroom staff
// (Eingang, Dokument, Prüfung, Quarantäne, Protokoll). The views depend only
// on the Model interface, so the desk can run with the engine embedded
// (cmd/poststelle-desk) or, later, as a client of a running engine's API.
// ui never imports the store, scan or ocr packages. Background work (page
// rendering, engine calls) runs in goroutines and reaches the widgets
// through fyne.Do; the UI never waits for the engine. The metadata form is
// built from Model.Schema (mailroom.FieldSchema: the [desk] section of the
// configuration, else mailroom.DefaultFields), not from widget code.
package ui
