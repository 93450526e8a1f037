package mailroom

import (
	"fmt"
	"strings"
)

// MailConfig configures the IMAP / De-Mail intake, MIME unpacking and the
// e-invoice recognition.
type MailConfig struct {
	Accounts []MailAccount `toml:"accounts"`
	// Mode: "separate" (each attachment its own document) or "together".
	Mode          string `toml:"mode"`
	MaxAttachment int64  `toml:"max_attachment"` // bytes; larger parts are quarantined with a reason
	// MaxMessage bounds one mail fetched from a mailbox (bytes); a larger
	// mail is still taken in and quarantined with a reason.
	MaxMessage int64 `toml:"max_message"`
	// TrustCAFile is a PEM file of CA certificates trusted for S/MIME and
	// PDF signatures in addition to the system roots ("" = system roots only).
	TrustCAFile string `toml:"trust_ca_file"`
	// Reconnect is the longest wait between reconnection attempts.
	Reconnect Duration `toml:"reconnect"`
	// EInvoice configures e-invoice recognition and routing.
	EInvoice EInvoiceConfig `toml:"einvoice"`
	// Limits bound what one received mail may cause (0 = the default).
	Limits MailLimits `toml:"limits"`
}

// MailLimits bound the cost of one received mail (docs/mail.md explains
// each). A limit reached keeps the mail and flags it
// "attachments-unreadable", except an oversized header of the mail itself,
// which is quarantined with a reason.
type MailLimits struct {
	HeaderBytes  int `toml:"header_bytes"`  // one header block (default 256 KiB)
	HeaderLine   int `toml:"header_line"`   // one physical header line (default 64 KiB)
	HeaderFields int `toml:"header_fields"` // fields of one header block (default 1000)
	Parts        int `toml:"parts"`         // MIME entities read from one mail (default 1000)
	Depth        int `toml:"depth"`         // multipart nesting in one mail (default 20)
	Attachments  int `toml:"attachments"`   // parts taken in from one received mail, nested mails included (default 100)
	MailDepth    int `toml:"mail_depth"`    // mail-in-mail nesting, across batches (default 10)
	Warnings     int `toml:"warnings"`      // warnings kept per mail (default 50)
}

// EInvoiceConfig configures XRechnung / ZUGFeRD recognition.
type EInvoiceConfig struct {
	Enabled bool           `toml:"enabled"`
	Routes  []LeitwegRoute `toml:"routes"`
}

// LeitwegRoute routes e-invoices by the start of their Leitweg-ID (buyer reference).
type LeitwegRoute struct {
	Prefix     string `toml:"prefix"`
	Department string `toml:"department"`
	Class      string `toml:"class"`
}

// MailAccount is one mailbox.
type MailAccount struct {
	Profile
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	TLS          string   `toml:"tls"` // implicit, starttls, none (tests only)
	User         string   `toml:"user"`
	PasswordFile string   `toml:"password_file"`
	PasswordEnv  string   `toml:"password_env"`
	Folders      []string `toml:"folders"`
	MoveTo       string   `toml:"move_to"`
	Keyword      string   `toml:"keyword"`
	Poll         Duration `toml:"poll"`
	Insecure     bool     `toml:"insecure_skip_verify"`
	// CAFile is a PEM file of CAs trusted for this server's certificate in
	// addition to the system roots.
	CAFile string `toml:"ca_file"`
	// Idle uses IMAP IDLE (if the server has it) between polls.
	Idle *bool `toml:"idle"`
	// Filters: a mail is taken in only if every non-empty filter matches
	// (case-insensitive substrings; "" = any).
	FromContains       string `toml:"from_contains"`
	SubjectContains    string `toml:"subject_contains"`
	AttachmentContains string `toml:"attachment_contains"`
}

func init() {
	sectionValidators = append(sectionValidators, validateMail)
}

func validateMail(c *Config) error {
	m := &c.Mail
	switch m.Mode {
	case "separate", "together":
	default:
		return fmt.Errorf("mail.mode: %q is not separate or together", m.Mode)
	}
	if m.MaxAttachment < 0 || m.MaxMessage < 0 {
		return fmt.Errorf("mail.max_attachment and mail.max_message must not be negative")
	}
	names := map[string]bool{}
	for i := range m.Accounts {
		a := &m.Accounts[i]
		if a.Name == "" {
			a.Name = a.User
		}
		if a.Name == "" {
			return fmt.Errorf("mail.accounts[%d].name is empty", i)
		}
		if names[a.Name] {
			return fmt.Errorf("mail.accounts[%d].name %q is used twice", i, a.Name)
		}
		names[a.Name] = true
		if a.Host == "" {
			return fmt.Errorf("mail.accounts[%d].host is empty", i)
		}
		if a.TLS == "" {
			a.TLS = "implicit"
		}
		switch a.TLS {
		case "implicit", "starttls", "none":
		default:
			return fmt.Errorf("mail.accounts[%d].tls: %q is not implicit, starttls or none", i, a.TLS)
		}
		if a.Port == 0 {
			a.Port = 993
			if a.TLS != "implicit" {
				a.Port = 143
			}
		}
		if len(a.Folders) == 0 {
			a.Folders = []string{"INBOX"}
		}
		if a.MoveTo == "" && a.Keyword == "" {
			return fmt.Errorf("mail.accounts[%d]: set move_to or keyword (how a stored mail is marked)", i)
		}
		if a.Keyword != "" && strings.ContainsAny(a.Keyword, " ()[]{}%*\"\\") {
			return fmt.Errorf("mail.accounts[%d].keyword %q is not a valid IMAP keyword", i, a.Keyword)
		}
		if a.Protection == "" {
			a.Protection = ProtectionNormal
		}
		if !a.Protection.Valid() {
			return fmt.Errorf("mail.accounts[%d].protection: %q is not one of normal, hoch, sehr hoch", i, a.Protection)
		}
	}
	return nil
}
