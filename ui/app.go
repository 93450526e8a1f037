package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"poststelle/mailroom"
)

// Options configure the desk.
type Options struct {
	Lang Lang // "" = German
	// Refresh is how often the lists are reloaded; 0 = 2 s.
	Refresh time.Duration
	// Timing, if set, is told how long opening a document took until the
	// first preview was shown, and when each thumbnail arrived (benchmarks).
	Timing func(event string, page int, d time.Duration)
	// Do runs f on the UI goroutine; nil = fyne.Do. Tests pass a queue they
	// drain themselves, because the Fyne test driver runs fyne.Do at once on
	// the calling goroutine.
	Do func(f func())
}

// App is the desk window.
type App struct {
	Win   fyne.Window
	Model Model
	Op    Operator
	L     Lang
	opt   Options

	ctx    context.Context
	cancel context.CancelFunc

	tabs    *container.AppTabs
	Inbox   *InboxView
	Doc     *DocumentView
	QA      *QAView
	Quar    *QuarantineView
	Journal *JournalView
	status  *widget.Label
	banner  *widget.Label // connection banner (connection.go)
	login   *LoginForm
	lastErr string
}

// New makes the desk in window w. Call Start to show the login.
func New(w fyne.Window, m Model, opt Options) *App {
	if opt.Lang == "" {
		opt.Lang = German
	}
	if opt.Refresh == 0 {
		opt.Refresh = 2 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{Win: w, Model: m, L: opt.Lang, opt: opt, ctx: ctx, cancel: cancel}
	w.SetTitle(a.L.T("app.title"))
	w.SetOnClosed(cancel)
	return a
}

// do runs f on the UI goroutine.
func (a *App) do(f func()) {
	if a.opt.Do != nil {
		a.opt.Do(f)
		return
	}
	fyne.Do(f)
}

// Close gives up the desk lease, ends the login and stops background work.
func (a *App) Close() {
	if a.tabs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		a.Doc.leaveNow(ctx) // before the logout ends the session
		a.Model.Logout(ctx)
		cancel()
	}
	a.cancel()
}

// Start shows the login (or logs in the OS user when no operators are configured).
func (a *App) Start() {
	if !a.Model.NeedsPassword() {
		a.bg(func(ctx context.Context) error {
			op, err := a.Model.Login(ctx, "", "")
			if err != nil {
				return err
			}
			a.do(func() { a.loggedIn(op) })
			return nil
		}, nil)
		return
	}
	a.Win.SetContent(a.loginScreen())
}

// LoginForm is the login screen's widgets (exported for tests).
type LoginForm struct {
	User, Password *widget.Entry
	Button         *widget.Button
	Error          *widget.Label
}

func (a *App) loginScreen() fyne.CanvasObject {
	f := &LoginForm{User: widget.NewEntry(), Password: widget.NewPasswordEntry(), Error: widget.NewLabel("")}
	a.login = f
	f.Error.Importance = widget.DangerImportance
	submit := func() {
		user, pw := f.User.Text, f.Password.Text
		f.Button.Disable()
		a.bg(func(ctx context.Context) error {
			op, err := a.Model.Login(ctx, user, pw)
			a.do(func() {
				f.Button.Enable()
				if err != nil {
					f.Error.SetText(a.errText(err))
					f.Password.SetText("")
					a.Win.Canvas().Focus(f.Password)
					return
				}
				a.loggedIn(op)
			})
			return nil
		}, nil)
	}
	f.Button = widget.NewButton(a.L.T("login.button"), submit)
	f.Button.Importance = widget.HighImportance
	f.User.OnSubmitted = func(string) { a.Win.Canvas().Focus(f.Password) }
	f.Password.OnSubmitted = func(string) { submit() }
	lang := widget.NewSelect([]string{"Deutsch", "English"}, func(s string) {
		l := German
		if s == "English" {
			l = English
		}
		if l != a.L {
			a.L = l
			a.Win.SetContent(a.loginScreen())
		}
	})
	if a.L == English {
		lang.SetSelected("English")
	} else {
		lang.SetSelected("Deutsch")
	}
	form := widget.NewForm(
		widget.NewFormItem(a.L.T("login.user"), f.User),
		widget.NewFormItem(a.L.T("login.password"), f.Password),
		widget.NewFormItem(a.L.T("lang"), lang),
	)
	box := container.NewVBox(widget.NewLabelWithStyle(a.L.T("login.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		form, f.Button, f.Error)
	defer a.Win.Canvas().Focus(f.User)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 260), box))
}

// Login returns the login form, or nil once logged in.
func (a *App) Login() *LoginForm { return a.login }

func (a *App) loggedIn(op Operator) {
	a.Op = op
	a.login = nil
	again := a.tabs != nil // logged in again after the session ended
	a.buildMain()
	if !again {
		go a.refreshLoop()
	}
}

func (a *App) buildMain() {
	a.status = widget.NewLabel(a.L.T("login.as", a.Op.Display()))
	a.banner = newBanner()
	a.Inbox = newInboxView(a)
	a.Doc = newDocumentView(a)
	a.QA = newQAView(a)
	a.Quar = newQuarantineView(a)
	a.Journal = newJournalView(a)
	a.tabs = container.NewAppTabs(
		container.NewTabItem(a.L.T("tab.inbox"), a.Inbox.content),
		container.NewTabItem(a.L.T("tab.document"), a.Doc.content),
		container.NewTabItem(a.L.T("tab.qa"), a.QA.content),
		container.NewTabItem(a.L.T("tab.quarantine"), a.Quar.content),
		container.NewTabItem(a.L.T("tab.journal"), a.Journal.content),
	)
	a.tabs.OnSelected = func(t *container.TabItem) {
		switch a.tabs.SelectedIndex() {
		case 0:
			a.Inbox.Reload()
		case 2:
			a.QA.show()
		case 3:
			a.Quar.Reload()
		case 4:
			a.Journal.Reload()
		}
	}
	a.Win.SetContent(container.NewBorder(a.banner, a.status, nil, nil, a.tabs))
	a.installShortcuts()
	a.Inbox.Reload()
}

// SelectTab shows tab i (0 Eingang, 1 Dokument, 2 Prüfung, 3 Quarantäne, 4 Protokoll).
func (a *App) SelectTab(i int) {
	if a.tabs != nil {
		a.tabs.SelectIndex(i)
	}
}

// Tab is the selected tab index.
func (a *App) Tab() int { return a.tabs.SelectedIndex() }

func (a *App) refreshLoop() {
	t := time.NewTicker(a.opt.Refresh)
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-t.C:
			a.do(func() {
				if a.tabs == nil {
					return
				}
				switch a.tabs.SelectedIndex() {
				case 0:
					a.Inbox.Reload()
				case 1, 2:
					a.Doc.pollState()
				}
			})
		}
	}
}

// bg runs f in a goroutine; an error is shown in a dialog, done (if set)
// runs on the UI goroutine afterwards.
func (a *App) bg(f func(ctx context.Context) error, done func(err error)) {
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 5*time.Minute)
		defer cancel()
		err := f(ctx)
		a.do(func() {
			if err == nil {
				a.noteOnline()
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				a.ShowError(err)
			}
			if done != nil {
				done(err)
			}
		})
	}()
}

// LastError is the text of the last error shown (tests).
func (a *App) LastError() string { return a.lastErr }

// ShowError shows err to the clerk: the German (or English) part of an
// InputError, else the error text.
func (a *App) ShowError(err error) {
	if a.noteError(err) {
		return
	}
	a.lastErr = a.errText(err)
	if a.status != nil {
		a.status.SetText(a.lastErr)
	}
	d := dialog.NewInformation(a.L.T("error"), a.lastErr, a.Win)
	d.Show()
}

func (a *App) errText(err error) string {
	if ie, ok := mailroom.AsInputError(err); ok {
		if a.L == English {
			return ie.EN
		}
		return ie.DE
	}
	return err.Error()
}

// Status sets the status line.
func (a *App) Status(s string) {
	if a.status != nil {
		a.status.SetText(s)
	}
}

// StatusText is the status line (tests).
func (a *App) StatusText() string {
	if a.status == nil {
		return ""
	}
	return a.status.Text
}

func (a *App) stateName(s mailroom.State) string { return a.L.T("state." + string(s)) }
