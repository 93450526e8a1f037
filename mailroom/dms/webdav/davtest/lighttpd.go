// Package davtest starts a real WebDAV server for tests: lighttpd with
// mod_webdav (Debian: lighttpd, lighttpd-mod-webdav) on a free 127.0.0.1
// port, with a throw-away configuration, basic authentication and document
// root in a temporary directory. It runs as root (CI) and without systemd.
package davtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running lighttpd.
type Server struct {
	URL      string // http://127.0.0.1:port
	Root     string // document root on disk
	User     string
	Password string
}

// Binary finds lighttpd (in PATH or /usr/sbin).
func Binary() (string, error) {
	if p, err := exec.LookPath("lighttpd"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/lighttpd", "/usr/local/sbin/lighttpd"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("lighttpd not found")
}

func moduleDir() string {
	for _, d := range []string{"/usr/lib/lighttpd", "/usr/lib64/lighttpd", "/usr/local/lib/lighttpd"} {
		if _, err := os.Stat(filepath.Join(d, "mod_webdav.so")); err == nil {
			return d
		}
	}
	return ""
}

// Start starts lighttpd for the test and stops it at cleanup. Without
// lighttpd and mod_webdav it skips the test with a message — except in CI
// (CI=true), where .ci/packages.txt installs them, so it fails.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	mods := moduleDir()
	if err != nil || mods == "" {
		msg := "lighttpd with mod_webdav not installed (Debian: apt-get install lighttpd lighttpd-mod-webdav)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	s := &Server{Root: filepath.Join(dir, "root"), User: "poststelle", Password: "geheim-123"}
	os.MkdirAll(s.Root, 0o777)
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o777)
	os.WriteFile(filepath.Join(dir, "users"), []byte(s.User+":"+s.Password+"\n"), 0o644)
	for attempt := 0; attempt < 5; attempt++ {
		port := freePort(t)
		conf := filepath.Join(dir, "lighttpd.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf(`server.modules = ("mod_webdav", "mod_auth", "mod_authn_file")
server.module-directory = %q
server.document-root = %q
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = %q
server.upload-dirs = (%q)
server.max-request-size = 0
server.stream-request-body = 1
server.max-connections = 256
server.max-keep-alive-requests = 10000
webdav.activate = "enable"
webdav.is-readonly = "disable"
auth.backend = "plain"
auth.backend.plain.userfile = %q
auth.require = ("/" => ("method" => "basic", "realm" => "poststelle", "require" => "valid-user"))
`, mods, s.Root, port, filepath.Join(dir, "error.log"), filepath.Join(dir, "tmp"), filepath.Join(dir, "users"))), 0o644)
		cmd := exec.Command(bin, "-D", "-f", conf)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("lighttpd: %v", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
		if waitUp(s.URL, done) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-done
			})
			return s
		}
		cmd.Process.Kill()
		<-done
	}
	log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	t.Fatalf("lighttpd did not start: %s", log)
	return nil
}

func waitUp(u string, done chan error) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		resp, err := http.Get(u + "/")
		if err == nil {
			resp.Body.Close()
			return true
		}
		if !strings.Contains(err.Error(), "refused") {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
