// Package ldaptest starts a real, throw-away OpenLDAP slapd for tests: a
// generated slapd.conf, a generated CA and server certificate (LDAPS and
// StartTLS), users and groups loaded with ldapadd, the memberof overlay
// keeping memberOf, and a service account. slapd runs as the current user on
// free loopback ports and is stopped when the test ends.
//
// Without slapd (Debian packages slapd and ldap-utils) the test is skipped;
// under CI=true it fails, since CI installs them (.ci/packages.txt).
package ldaptest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The directory every Server holds.
const (
	BaseDN          = "dc=poststelle,dc=test"
	PeopleDN        = "ou=people," + BaseDN
	GroupsDN        = "ou=groups," + BaseDN
	ServiceDN       = "cn=poststelle,ou=services," + BaseDN
	ServicePassword = "dienst-geheim-42"
	adminDN         = "cn=admin," + BaseDN
	adminPassword   = "admin-geheim-42"
)

// User is a person in ou=people (uid=UID), member of Groups (cn=… in
// ou=groups, created as needed).
type User struct {
	UID, Name, Password string
	Groups              []string
}

// Server is a running slapd.
type Server struct {
	// LDAPURL offers StartTLS (ldap://127.0.0.1:port), LDAPSURL is TLS
	// from the start (ldaps://127.0.0.1:port).
	LDAPURL, LDAPSURL string
	// CAFile signed the server certificate; OtherCAFile did not (for
	// certificate verification failures).
	CAFile, OtherCAFile string
	Dir                 string
	cmd                 *exec.Cmd
	waitCh              chan error
	out                 *syncBuffer
}

// Tools returns the paths of slapd and ldapadd, skipping the test (failing
// it under CI=true) when they are missing.
func Tools(tb testing.TB) (slapd, ldapadd string) {
	tb.Helper()
	slapd = lookPath("slapd", "/usr/sbin/slapd")
	ldapadd = lookPath("ldapadd", "/usr/bin/ldapadd")
	if slapd != "" && ldapadd != "" {
		return slapd, ldapadd
	}
	msg := "OpenLDAP slapd and ldapadd not found (Debian packages slapd, ldap-utils)"
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return "", ""
}

func lookPath(name, fallback string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback
	}
	return ""
}

// Start runs slapd with users (and their groups) and the service account.
func Start(tb testing.TB, users ...User) *Server {
	tb.Helper()
	slapd, ldapadd := Tools(tb)
	dir := tb.TempDir()
	if err := writeCerts(dir); err != nil {
		tb.Fatal(err)
	}
	var s *Server
	var err error
	for try := 0; try < 3; try++ { // a free port may be taken between probe and start
		if s, err = start(slapd, dir); err == nil {
			break
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	if err := s.load(ldapadd, users); err != nil {
		tb.Fatalf("%v\nslapd:\n%s", err, s.out)
	}
	return s
}

// Log returns slapd's output so far (connections, binds: DNs, no passwords).
func (s *Server) Log() string { return s.out.String() }

func start(slapd, dir string) (*Server, error) {
	p1, p2, err := freePorts()
	if err != nil {
		return nil, err
	}
	db := filepath.Join(dir, "db")
	os.RemoveAll(db)
	if err := os.MkdirAll(db, 0o700); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(conf, []byte(slapdConf(dir)), 0o600); err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, CAFile: filepath.Join(dir, "ca.pem"), OtherCAFile: filepath.Join(dir, "other-ca.pem"),
		LDAPURL: fmt.Sprintf("ldap://127.0.0.1:%d", p1), LDAPSURL: fmt.Sprintf("ldaps://127.0.0.1:%d", p2), out: &syncBuffer{}}
	// -d keeps slapd in the foreground; 256 logs connections and operations.
	s.cmd = exec.Command(slapd, "-f", conf, "-h", s.LDAPURL+"/ "+s.LDAPSURL+"/", "-d", "256")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("slapd: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("slapd exited: %v\n%s", err, s.out)
		default:
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p1), time.Second); err == nil {
			c.Close()
			s.waitCh = exited
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd.Process.Kill()
	<-exited
	return nil, fmt.Errorf("slapd did not listen within 15 s\n%s", s.out)
}

func freePorts() (int, int, error) {
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}

func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.waitCh:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.waitCh
	}
}

func slapdConf(dir string) string {
	p := func(name string) string { return filepath.Join(dir, name) }
	return fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile %s
argsfile %s
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
TLSCACertificateFile %s
TLSCertificateFile %s
TLSCertificateKeyFile %s
database mdb
maxsize 16777216
suffix "%s"
rootdn "%s"
rootpw %s
directory %s
overlay memberof
memberof-refint true
access to attrs=userPassword by anonymous auth by self write by * none
access to * by self read by users read by * none
`, p("slapd.pid"), p("slapd.args"), p("ca.pem"), p("server.pem"), p("server.key"),
		BaseDN, adminDN, adminPassword, p("db"))
}

// load adds the tree, the users, the groups and the service account with ldapadd.
func (s *Server) load(ldapadd string, users []User) error {
	var b strings.Builder
	entry := func(dn string, lines ...string) {
		fmt.Fprintf(&b, "dn: %s\n%s\n\n", dn, strings.Join(lines, "\n"))
	}
	entry(BaseDN, "objectClass: dcObject", "objectClass: organization", "o: Poststelle Test", "dc: poststelle")
	for _, ou := range []string{"people", "groups", "services"} {
		entry("ou="+ou+","+BaseDN, "objectClass: organizationalUnit", "ou: "+ou)
	}
	entry(ServiceDN, "objectClass: organizationalRole", "objectClass: simpleSecurityObject", "cn: poststelle",
		"userPassword: "+ssha(ServicePassword))
	members := map[string][]string{}
	var order []string
	for _, u := range users {
		dn := "uid=" + u.UID + "," + PeopleDN
		sn := u.Name
		if i := strings.LastIndex(sn, " "); i >= 0 {
			sn = sn[i+1:]
		}
		entry(dn, "objectClass: inetOrgPerson", "uid: "+u.UID, "cn: "+u.Name, "sn: "+sn,
			"displayName: "+u.Name, "userPassword: "+ssha(u.Password))
		for _, g := range u.Groups {
			if _, ok := members[g]; !ok {
				order = append(order, g)
			}
			members[g] = append(members[g], "member: "+dn)
		}
	}
	for _, g := range order {
		entry("cn="+g+","+GroupsDN, append([]string{"objectClass: groupOfNames", "cn: " + g}, members[g]...)...)
	}
	ldif := filepath.Join(s.Dir, "data.ldif")
	if err := os.WriteFile(ldif, []byte(b.String()), 0o600); err != nil {
		return err
	}
	out, err := exec.Command(ldapadd, "-x", "-H", s.LDAPURL, "-D", adminDN, "-w", adminPassword, "-f", ldif).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ldapadd: %v\n%s", err, out)
	}
	return nil
}

// syncBuffer collects slapd's output while tests may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// ssha is OpenLDAP's salted SHA-1 userPassword form ({SSHA}).
func ssha(pw string) string {
	salt := make([]byte, 8)
	rand.Read(salt)
	h := sha1.Sum(append([]byte(pw), salt...))
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(h[:], salt...))
}
