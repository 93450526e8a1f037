package inbox_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// dovecot is a throw-away Dovecot (Debian dovecot-imapd) on 127.0.0.1 with
// implicit TLS and STARTTLS, a self-signed CA the tests trust explicitly, and
// one user. It does not need the system's dovecot service.
type dovecot struct {
	dir        string
	conf       string
	imapPort   int
	imapsPort  int
	cmd        *exec.Cmd
	CA         *x509.CertPool
	CAFile     string
	User, Pass string
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// makeCerts writes ca.pem, server.pem and server.key into dir.
func makeCerts(t *testing.T, dir string) *x509.CertPool {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Poststelle Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", caDER)
	writePEM(t, filepath.Join(dir, "server.pem"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, "server.key"), "EC PRIVATE KEY", kder)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	return startDovecotWith(t, "")
}

// startDovecotWith starts Dovecot with extra configuration lines (e.g.
// imap_capability to hide MOVE and UIDPLUS).
func startDovecotWith(t *testing.T, extra string) *dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/dovecot"); err2 == nil {
			bin = "/usr/sbin/dovecot"
		} else {
			t.Skip("dovecot not installed (Debian dovecot-imapd; .ci/packages.txt installs it)")
		}
	}
	dir, err := os.MkdirTemp("", "poststelle-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot.log:\n%s", log)
		}
		os.RemoveAll(dir)
	})
	os.Chmod(dir, 0o755)
	d := &dovecot{dir: dir, conf: filepath.Join(dir, "dovecot.conf"), imapPort: freePort(t), imapsPort: freePort(t),
		User: "poststelle", Pass: "geheim-" + fmt.Sprint(time.Now().UnixNano())}
	d.CA = makeCerts(t, dir)
	d.CAFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(d.User+":{PLAIN}"+d.Pass+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u, _ := user.Current()
	internal, login := "dovecot", "dovenull"
	if os.Geteuid() != 0 {
		internal, login = u.Username, u.Username
	} else if mu, err := user.Lookup("dovecot"); err == nil {
		u = mu // Dovecot refuses uid 0 for mail: store the mail as the dovecot user
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[1]s/server.pem
ssl_key = <%[1]s/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = %[2]s
default_login_user = %[3]s
first_valid_uid = 1
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[4]s gid=%[5]s home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[7]d
    ssl = yes
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
%[8]s
`, dir, internal, login, u.Uid, u.Gid, d.imapPort, d.imapsPort, extra)
	if err := os.WriteFile(d.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"run", "state", "mail", "home"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o755)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	os.Chown(filepath.Join(dir, "mail"), uid, gid)
	os.Chown(filepath.Join(dir, "home"), uid, gid)
	d.cmdPath(bin)
	d.Start(t)
	t.Cleanup(func() { d.Stop(t) })
	return d
}

var dovecotBin string

func (d *dovecot) cmdPath(bin string) { dovecotBin = bin }

// Start runs the dovecot master in the foreground and waits for the ports.
func (d *dovecot) Start(t *testing.T) {
	t.Helper()
	d.cmd = exec.Command(dovecotBin, "-F", "-c", d.conf)
	d.cmd.Stdout, d.cmd.Stderr = os.Stderr, os.Stderr
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.imapsPort), time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	t.Fatalf("dovecot did not start:\n%s", log)
}

// Stop ends the dovecot master (and its children) started by Start.
func (d *dovecot) Stop(t *testing.T) {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	// The whole process group: master, login and imap processes.
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	// Wait until the children let go of the ports.
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", d.imapsPort), 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(100 * time.Millisecond)
	}
	d.cmd = nil
}

// Doveadm runs doveadm against this instance.
func (d *dovecot) Doveadm(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("doveadm", append([]string{"-c", d.conf}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("doveadm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Client logs in over implicit TLS (for APPEND and checks).
func (d *dovecot) Client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(fmt.Sprintf("127.0.0.1:%d", d.imapsPort), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: d.CA, ServerName: "localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(d.User, d.Pass).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// Append stores raw messages in a folder.
func (d *dovecot) Append(t *testing.T, folder string, msgs ...[]byte) {
	t.Helper()
	c := d.Client(t)
	defer c.Close()
	if folder != "INBOX" {
		c.Create(folder, nil).Wait()
	}
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// Count returns the number of messages in folder (and those without keyword kw, if set).
func (d *dovecot) Count(t *testing.T, folder, kw string) (int, int) {
	t.Helper()
	c := d.Client(t)
	defer c.Close()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, 0
	}
	if kw == "" {
		return int(sel.NumMessages), 0
	}
	res, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.Flag(kw)}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(sel.NumMessages), len(res.AllUIDs())
}

// proxy forwards TCP connections to target and can kill them all.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { ioCopy(s, c); s.Close(); c.Close() }()
			go func() { ioCopy(c, s); s.Close(); c.Close() }()
		}
	}()
	t.Cleanup(func() { l.Close(); p.Kill() })
	return p
}

func (p *proxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

// Kill closes every open connection (like a dropped network link).
func (p *proxy) Kill() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	return n
}

func ioCopy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
