package inbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"poststelle/mailroom"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TLSConfig builds the TLS configuration for an account: certificate
// verification on, system roots plus ca_file.
func TLSConfig(a mailroom.MailAccount) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: a.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: a.Insecure}
	if a.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		b, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mail account %s: ca_file: %w", a.Name, err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("mail account %s: ca_file %s holds no PEM certificate", a.Name, a.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func (s *IMAPSource) dial(ctx context.Context, wake chan<- struct{}) (*imapclient.Client, error) {
	a := s.Account
	addr := net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
	tcfg := s.TLS
	if tcfg == nil {
		var err error
		if tcfg, err = TLSConfig(a); err != nil {
			return nil, err
		}
	}
	opts := &imapclient.Options{
		TLSConfig: tcfg,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if a.TLS == "none" {
		if err := PlaintextAllowed(conn.RemoteAddr()); err != nil {
			conn.Close()
			return nil, err
		}
		s.log().Warn(plaintextWarning, "host", a.Host, "address", conn.RemoteAddr().String(), "user", a.User)
	}
	switch a.TLS {
	case "implicit", "":
		tc := tls.Client(conn, tcfg)
		hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS: %w", err)
		}
		return imapclient.New(tc, opts), nil
	case "starttls":
		c, err := imapclient.NewStartTLS(conn, opts)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
		return c, nil
	default:
		return imapclient.New(conn, opts), nil
	}
}

// plaintextWarning is logged (level WARN) at every connection with tls = "none".
const plaintextWarning = "WARNUNG: Postfach ohne TLS (tls = none): Benutzername und Passwort gehen im Klartext über die Verbindung; nur für einen Server auf demselben Rechner zulässig / " +
	"WARNING: mailbox without TLS (tls = none): user name and password cross the connection in plaintext; allowed for a server on this machine only"

// PlaintextAllowed decides whether a connection without TLS may carry the
// LOGIN: only to a loopback address (a server on the same machine, e.g. a
// local Dovecot or a TLS-terminating proxy such as stunnel). Anything else
// is refused before a byte of the login is sent: the password would cross
// the network readable by anyone on the way.
func PlaintextAllowed(remote net.Addr) error {
	if ta, ok := remote.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return nil
	}
	return fmt.Errorf("tls = none: Anmeldung ohne TLS nur zu einer Loopback-Adresse erlaubt, %s ist keine; tls = implicit oder starttls verwenden / "+
		"plaintext login is allowed to a loopback address only, %s is not; use tls = implicit or starttls", remote, remote)
}

// Check connects, logs in and reports the message count of each folder
// (`poststelle doctor`). It changes nothing on the server.
func (s *IMAPSource) Check(ctx context.Context) (string, error) {
	wake := make(chan struct{}, 1)
	c, err := s.dial(ctx, wake)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := c.WaitGreeting(); err != nil {
		return "", err
	}
	if err := c.Login(s.Account.User, s.Password).Wait(); err != nil {
		return "", fmt.Errorf("login as %s: %w", s.Account.User, err)
	}
	var parts []string
	if s.Account.TLS == "none" {
		parts = append(parts, "WARNUNG / WARNING: tls = none, Passwort im Klartext / plaintext password (loopback only)")
	}
	if caps, err := c.Capability().Wait(); err == nil && s.Account.MoveTo != "" && !caps.Has(imap.CapMove) && !caps.Has(imap.CapUIDPlus) {
		parts = append(parts, "Server ohne MOVE und UIDPLUS: gespeicherte Mails werden kopiert und nur als gelöscht markiert, nie gelöscht (EXPUNGE) / "+
			"server without MOVE and UIDPLUS: stored mails are copied and only marked deleted, never expunged")
	}
	for _, f := range s.Account.Folders {
		st, err := c.Status(f, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			return "", fmt.Errorf("folder %s: %w", f, err)
		}
		n := uint32(0)
		if st.NumMessages != nil {
			n = *st.NumMessages
		}
		parts = append(parts, fmt.Sprintf("%s: %d", f, n))
	}
	c.Logout().Wait()
	return strings.Join(parts, ", "), nil
}
