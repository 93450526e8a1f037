package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Shortcut is one keyboard shortcut of the desk.
type Shortcut struct {
	Menu   string // menu key: menu.desk, menu.doc, menu.pages
	Label  string // text key
	Key    fyne.KeyName
	Mod    fyne.KeyModifier
	Action func()
}

// Keys returns the shortcut as the clerk reads it, e.g. "Strg+Umschalt+Enter".
func (s Shortcut) Keys(l Lang) string {
	var parts []string
	if s.Mod&fyne.KeyModifierControl != 0 {
		parts = append(parts, map[Lang]string{German: "Strg", English: "Ctrl"}[l])
	}
	if s.Mod&fyne.KeyModifierAlt != 0 {
		parts = append(parts, "Alt")
	}
	if s.Mod&fyne.KeyModifierShift != 0 {
		parts = append(parts, map[Lang]string{German: "Umschalt", English: "Shift"}[l])
	}
	k := string(s.Key)
	switch s.Key {
	case fyne.KeyRight:
		k = "→"
	case fyne.KeyLeft:
		k = "←"
	case fyne.KeyUp:
		k = "↑"
	case fyne.KeyDown:
		k = "↓"
	case fyne.KeyReturn:
		k = "Enter"
	case fyne.KeyDelete:
		k = map[Lang]string{German: "Entf", English: "Del"}[l]
	}
	return strings.Join(append(parts, k), "+")
}

// Shortcuts lists the desk's shortcuts with their actions.
func (a *App) Shortcuts() []Shortcut {
	ctrl, alt, shift := fyne.KeyModifierControl, fyne.KeyModifierAlt, fyne.KeyModifierShift
	tab := func(i int) func() { return func() { a.SelectTab(i) } }
	return []Shortcut{
		{"menu.desk", "tab.inbox", fyne.Key1, ctrl, tab(0)},
		{"menu.desk", "tab.document", fyne.Key2, ctrl, tab(1)},
		{"menu.desk", "tab.qa", fyne.Key3, ctrl, tab(2)},
		{"menu.desk", "tab.quarantine", fyne.Key4, ctrl, tab(3)},
		{"menu.desk", "tab.journal", fyne.Key5, ctrl, tab(4)},
		{"menu.desk", "refresh", fyne.KeyR, ctrl | shift, func() { a.Inbox.Reload() }},
		{"menu.doc", "next.doc", fyne.KeyDown, alt, func() { a.Doc.NextDocument(1) }},
		{"menu.doc", "prev.doc", fyne.KeyUp, alt, func() { a.Doc.NextDocument(-1) }},
		{"menu.doc", "first.field", fyne.KeyF, ctrl, func() { a.Doc.FocusFirstField() }},
		{"menu.doc", "meta.save", fyne.KeyS, ctrl, func() { a.Doc.SaveMetadata() }},
		{"menu.doc", "qa.save", fyne.KeyP, ctrl, func() { a.SelectTab(2); a.QA.Save() }},
		{"menu.doc", "approve", fyne.KeyReturn, ctrl, func() { a.QA.Approve() }},
		{"menu.doc", "reject", fyne.KeyBackspace, ctrl | shift, func() { a.QA.Reject() }},
		{"menu.pages", "next.page", fyne.KeyRight, alt, func() { a.Doc.GoPage(a.Doc.Current() + 1) }},
		{"menu.pages", "prev.page", fyne.KeyLeft, alt, func() { a.Doc.GoPage(a.Doc.Current() - 1) }},
		{"menu.pages", "rotate.right", fyne.KeyD, ctrl, func() { a.Doc.Rotate(90) }},
		{"menu.pages", "rotate.left", fyne.KeyD, ctrl | shift, func() { a.Doc.Rotate(-90) }},
		{"menu.pages", "delete", fyne.KeyDelete, ctrl, func() { a.Doc.DeletePage() }},
		{"menu.pages", "move.up", fyne.KeyUp, ctrl | shift, func() { a.Doc.MovePage(-1) }},
		{"menu.pages", "move.down", fyne.KeyDown, ctrl | shift, func() { a.Doc.MovePage(1) }},
		{"menu.pages", "split", fyne.KeyT, ctrl, func() { a.Doc.SplitHere() }},
		{"menu.pages", "merge", fyne.KeyM, ctrl, func() { a.Doc.MergeNext() }},
		{"menu.pages", "proposal.accept", fyne.KeyG, ctrl, func() { a.Doc.AcceptProposal() }},
		{"menu.pages", "proposal.dismiss", fyne.KeyG, ctrl | shift, func() { a.Doc.DismissProposal() }},
		{"menu.pages", "apply", fyne.KeyU, ctrl, func() { a.Doc.ApplyPages() }},
		{"menu.pages", "zoom.in", fyne.KeyEqual, ctrl, func() { a.Doc.Zoom(1.25) }},
		{"menu.pages", "zoom.out", fyne.KeyMinus, ctrl, func() { a.Doc.Zoom(0.8) }},
	}
}

// installShortcuts puts every shortcut into the main menu (which the window
// triggers even while a text field has the focus, and which shows the keys)
// and on the canvas.
func (a *App) installShortcuts() {
	menus := map[string]*fyne.Menu{}
	order := []string{"menu.desk", "menu.doc", "menu.pages"}
	for _, k := range order {
		menus[k] = fyne.NewMenu(a.L.T(k))
	}
	for _, s := range a.Shortcuts() {
		s := s
		sc := &desktop.CustomShortcut{KeyName: s.Key, Modifier: s.Mod}
		it := fyne.NewMenuItem(a.L.T(s.Label), s.Action)
		it.Shortcut = sc
		menus[s.Menu].Items = append(menus[s.Menu].Items, it)
		a.Win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { s.Action() })
	}
	langDE := fyne.NewMenuItem("Deutsch", func() { a.SetLang(German) })
	langEN := fyne.NewMenuItem("English", func() { a.SetLang(English) })
	langDE.Checked, langEN.Checked = a.L == German, a.L == English
	menus["menu.desk"].Items = append(menus["menu.desk"].Items, fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: a.L.T("lang"), ChildMenu: fyne.NewMenu("", langDE, langEN)})
	help := fyne.NewMenu(a.L.T("menu.help"), fyne.NewMenuItem(a.L.T("shortcuts"), a.ShowShortcuts))
	a.Win.SetMainMenu(fyne.NewMainMenu(menus["menu.desk"], menus["menu.doc"], menus["menu.pages"], help))
	a.Win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl},
		func(fyne.Shortcut) { a.ShowShortcuts() })
}

// ShortcutList is the visible list of shortcuts.
func (a *App) ShortcutList() fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, s := range a.Shortcuts() {
		rows = append(rows, widget.NewLabelWithStyle(s.Keys(a.L), fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}),
			widget.NewLabel(a.L.T(s.Label)))
	}
	rows = append(rows, widget.NewLabelWithStyle(Shortcut{Key: fyne.KeyH, Mod: fyne.KeyModifierControl}.Keys(a.L),
		fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}), widget.NewLabel(a.L.T("shortcuts")))
	rows = append(rows, widget.NewLabelWithStyle("Tab / "+Shortcut{Key: fyne.KeyTab, Mod: fyne.KeyModifierShift}.Keys(a.L),
		fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}), widget.NewLabel(map[Lang]string{German: "Nächstes / vorheriges Feld", English: "Next / previous field"}[a.L]))
	return container.NewVScroll(container.NewGridWithColumns(2, rows...))
}

// ShowShortcuts shows the list of shortcuts.
func (a *App) ShowShortcuts() {
	d := dialog.NewCustom(a.L.T("shortcuts"), a.L.T("ok"), a.ShortcutList(), a.Win)
	d.Resize(fyne.NewSize(560, 600))
	d.Show()
}

// SetLang switches the language and rebuilds the views.
func (a *App) SetLang(l Lang) {
	if l == a.L {
		return
	}
	a.L = l
	a.Win.SetTitle(a.L.T("app.title"))
	if a.tabs == nil {
		a.Win.SetContent(a.loginScreen())
		return
	}
	open := a.Doc.docID
	tab := a.tabs.SelectedIndex()
	a.Win.Canvas().SetOnTypedKey(nil)
	a.buildMain()
	if open != "" {
		a.Doc.Open(open)
	}
	a.SelectTab(tab)
}
