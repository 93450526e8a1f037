package mailroom

// MailConfig configures the IMAP / De-Mail intake.
type MailConfig struct {
	Accounts []MailAccount `toml:"accounts"`
	// Mode: "separate" (each attachment its own document) or "together".
	Mode          string `toml:"mode"`
	MaxAttachment int64  `toml:"max_attachment"` // bytes; larger parts are quarantined with a reason
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
}
