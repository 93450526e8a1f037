package ui

import (
	"errors"

	"fyne.io/fyne/v2/widget"
)

// A desk in client mode loses the engine when it restarts or the network
// goes: the model's errors then carry ErrDisconnected, and instead of an
// error dialog per call the desk shows one banner, "Verbindung zum Server
// unterbrochen", until a call succeeds again (the refresh keeps trying).
// An ended session (ErrLoggedOut) brings the login back.

func newBanner() *widget.Label {
	b := widget.NewLabel("")
	b.Importance = widget.DangerImportance
	b.Hide()
	return b
}

// Banner is the connection banner's text, "" while hidden (tests).
func (a *App) Banner() string {
	if a.banner == nil || !a.banner.Visible() {
		return ""
	}
	return a.banner.Text
}

// noteError handles the errors that are states of the connection rather
// than answers: it reports whether err was one of them.
func (a *App) noteError(err error) bool {
	switch {
	case errors.Is(err, ErrDisconnected):
		if a.banner != nil && !a.banner.Visible() {
			a.banner.SetText(a.L.T("disconnected"))
			a.banner.Show()
			a.Status(a.L.T("disconnected"))
		}
		return true
	case errors.Is(err, ErrLoggedOut):
		if a.login == nil {
			a.Doc.leave()
			a.Win.SetContent(a.loginScreen())
			a.login.Error.SetText(a.L.T("loggedout"))
		}
		return true
	}
	return false
}

// noteOnline hides the banner after a call succeeded.
func (a *App) noteOnline() {
	if a.banner != nil && a.banner.Visible() {
		a.banner.Hide()
		a.Status(a.L.T("reconnected"))
	}
}
