package client_test

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"poststelle/mailroom"
	"poststelle/mailroom/api/apitest"
	"poststelle/ui"
	"poststelle/ui/client"
)

// Desks in client mode (the Fyne test driver) against one engine with its
// HTTPS API (mailroom/api/apitest). The desks' UI updates are queued and
// run by the test goroutine, so widgets are only ever touched by it, while
// the desks' calls to the engine run in their own goroutines at once.

type pump struct {
	mu sync.Mutex
	fs []func()
}

func (p *pump) do(f func()) {
	p.mu.Lock()
	p.fs = append(p.fs, f)
	p.mu.Unlock()
}

func (p *pump) drain() {
	for {
		p.mu.Lock()
		fs := p.fs
		p.fs = nil
		p.mu.Unlock()
		if len(fs) == 0 {
			return
		}
		for _, f := range fs {
			f()
		}
	}
}

var uiPump = &pump{}

// eventually waits for cond, running the desks' UI updates meanwhile.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		uiPump.drain()
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

type desk struct {
	*ui.App
	m     *client.Model
	login string
}

// openDesk starts a desk in client mode and logs in through its login form.
func openDesk(t *testing.T, r *apitest.Rig, login, password string) *desk {
	t.Helper()
	return openDeskRefresh(t, r, login, password, 250*time.Millisecond)
}

// openDeskRefresh is openDesk with the desk's refresh interval (lists,
// state, lease renewal).
func openDeskRefresh(t *testing.T, r *apitest.Rig, login, password string, refresh time.Duration) *desk {
	t.Helper()
	m, err := client.New(client.Options{Server: r.URL, CAFile: r.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1400, 900))
	a := ui.New(w, m, ui.Options{Refresh: refresh, Do: uiPump.do})
	t.Cleanup(func() { a.Close(); uiPump.drain() })
	a.Start()
	lf := a.Login()
	if lf == nil {
		t.Fatal("client mode without a login form")
	}
	lf.User.SetText(login)
	lf.Password.SetText(password)
	test.Tap(lf.Button)
	eventually(t, login+" logged in", 20*time.Second, func() bool { return a.Login() == nil && a.Inbox != nil })
	return &desk{App: a, m: m, login: login}
}

var both = []mailroom.Role{mailroom.RolePruefung, mailroom.RoleFreigabe}

var normal = mailroom.Profile{Name: "eingang", Protection: mailroom.ProtectionNormal}
