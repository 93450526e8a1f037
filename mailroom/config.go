package mailroom

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// The embedded default configuration, one file per section, concatenated in
// name order. It is both the documentation printed by `poststelle config` and
// the configuration used when no file is given: every field appears there
// with its default and a comment.
//
//go:embed defaults/*.toml
var defaultFiles embed.FS

// DefaultTOML returns the commented default configuration.
func DefaultTOML() []byte {
	names, _ := fs.Glob(defaultFiles, "defaults/*.toml")
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		data, _ := defaultFiles.ReadFile(n)
		b.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			b.WriteByte('\n')
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Duration is a time.Duration written as "2s", "5m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Config is Poststelle's configuration. Load fills every field that the file
// leaves out from the embedded defaults (mailroom/defaults/*.toml).
type Config struct {
	// DataDir holds poststelle.db, originals/, work/ and out/.
	DataDir string `toml:"data_dir"`
	// Instance names this installation in the Transfervermerk and logs.
	Instance string `toml:"instance"`
	// ProcedureDoc references the valid procedure documentation (Verfahrensdokumentation).
	ProcedureDoc string `toml:"procedure_doc"`

	Log         LogConfig         `toml:"log"`
	HTTP        HTTPConfig        `toml:"http"`
	Intake      IntakeConfig      `toml:"intake"`
	Pipeline    PipelineConfig    `toml:"pipeline"`
	Folders     []FolderConfig    `toml:"folders"`
	Recognition RecognitionConfig `toml:"recognition"`
	Separators  SeparatorConfig   `toml:"separators"`
	Mail        MailConfig        `toml:"mail"`
	Evidence    EvidenceConfig    `toml:"evidence"`
	Outbox      OutboxConfig      `toml:"outbox"`
	Desk        DeskConfig        `toml:"desk"`
	Targets     []TargetConfig    `toml:"targets"`
	Operators   []OperatorConfig  `toml:"operators"`
	Login       LoginConfig       `toml:"login"`
	LDAP        LDAPConfig        `toml:"ldap"`
	API         APIConfig         `toml:"api"`

	// path is the file the config came from; empty for the embedded default.
	path string
}

// Path is the file the configuration was read from, or "" for the embedded default.
func (c *Config) Path() string { return c.path }

// LogConfig configures logging.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // auto (text on a terminal, else JSON), text, json
}

// HTTPConfig configures the local HTTP listener (health, metrics, status);
// the desks' API is [api].
type HTTPConfig struct {
	Listen string `toml:"listen"` // "" disables it
}

// IntakeConfig configures how watched folders are read.
type IntakeConfig struct {
	StableDelay    Duration `toml:"stable_delay"`
	PollInterval   Duration `toml:"poll_interval"`
	RescanInterval Duration `toml:"rescan_interval"`
	MaxFileSize    int64    `toml:"max_file_size"` // larger files are refused while they are copied
	// Links says what hot folders do with symbolic links and special files
	// (FIFOs, devices, sockets): "quarantine" (moved to quarantine/ with a
	// reason file, the default) or "ignore" (left alone, logged once).
	Links string `toml:"links"`
}

// PipelineConfig configures the workers.
type PipelineConfig struct {
	Workers   int      `toml:"workers"`    // documents processed at once; 0 = number of cores
	QueueSize int      `toml:"queue_size"` // bounded queue between dispatcher and workers
	Idle      Duration `toml:"idle"`       // how often idle workers look for work
	Retry     Duration `toml:"retry"`      // first backoff after a failure (doubles, max 10 min)
	MaxTries  int      `toml:"max_tries"`  // attempts before a document is quarantined
	// Limits (docs/limits.md): one stage of one document, one page, the
	// pages of one input, the wait for work in progress at shutdown.
	StageTimeout    Duration `toml:"stage_timeout"`    // default 1h; then quarantined
	PageTimeout     Duration `toml:"page_timeout"`     // default 30s per page and decoder call
	MaxPages        int      `toml:"max_pages"`        // default 2000; more pages are refused
	ShutdownTimeout Duration `toml:"shutdown_timeout"` // default 20s; then work in progress is abandoned
}

// Profile is the intake profile of a watched folder or mailbox.
type Profile struct {
	Name       string     `toml:"name"`
	Department string     `toml:"department"`
	Class      string     `toml:"class"`      // document class
	Protection Protection `toml:"protection"` // normal, hoch, sehr hoch
	// AutoApprove sends documents straight to the outbox, recorded as
	// "approved automatically, no visual check".
	AutoApprove bool `toml:"auto_approve"`
	// ScannedBy is the login of the operator who scans into this source
	// (the folder of one scan station); it becomes the metadata
	// "scanned_by" of everything taken in, which the four-eyes rule of
	// "sehr hoch" compares. "" = unknown, unless OperatorFolders.
	ScannedBy string `toml:"scanned_by"`
	// OperatorFolders: the first sub-folder level names the operator who
	// scanned (inbox/anna/scan.pdf → scanned_by "anna"). Give each
	// operator write access to their own sub-folder only.
	OperatorFolders bool `toml:"operator_folders"`
}

// ScannedByMail is "scanned_by" of mail taken in from a mailbox: nobody
// scanned it, so every person may check and approve it.
const ScannedByMail = "E-Mail-Eingang"

// MetaScannedBy is the metadata key naming who scanned a batch.
const MetaScannedBy = "scanned_by"

// FolderConfig is one watched folder with its profile.
type FolderConfig struct {
	Profile
	Path string `toml:"path"` // relative paths are relative to data_dir
	// AfterIntake is "delete" or "move" (to done/ inside the folder).
	AfterIntake string `toml:"after_intake"`
	// Poll uses polling instead of file-system events (network shares).
	Poll bool `toml:"poll"`
}

// TargetConfig is one DMS target.
type TargetConfig struct {
	Name string `toml:"name"`
	Type string `toml:"type"` // folder, webdav, cmis, paperless
	// Path is the folder of a folder target (relative to data_dir).
	Path string `toml:"path"`
	URL  string `toml:"url"`
	// Repository is the CMIS repository id; Folder the path below the root.
	Repository string `toml:"repository"`
	Folder     string `toml:"folder"`
	User       string `toml:"user"`
	// PasswordFile / PasswordEnv / TokenFile / TokenEnv hold secrets; never logged.
	PasswordFile string            `toml:"password_file"`
	PasswordEnv  string            `toml:"password_env"`
	TokenFile    string            `toml:"token_file"`
	TokenEnv     string            `toml:"token_env"`
	Mapping      map[string]string `toml:"mapping"` // Poststelle field → DMS property
	RateLimit    float64           `toml:"rate_limit"`
	Timeout      Duration          `toml:"timeout"`
	Insecure     bool              `toml:"insecure_skip_verify"`
	// ObjectType is the CMIS object type of created documents (cmis:document).
	ObjectType string `toml:"object_type"`
	// Retries: quick retries within one delivery attempt (5xx, 429, timeouts)
	// before the outbox's own backoff takes over.
	Retries int `toml:"retries"`
}

// OperatorConfig is a local operator listed in the configuration file (the
// operator table in the store, `poststelle operator`, is the other place).
type OperatorConfig struct {
	Login string `toml:"login"`
	Name  string `toml:"name"`
	// PasswordHash is an argon2id PHC string ("$argon2id$v=19$m=…,t=…,p=…$salt$hash",
	// `poststelle operator hash`). Old "sha256:<hex>" hashes are refused by
	// Validate with a LegacyPasswordError.
	PasswordHash string `toml:"password_hash"`
	// Roles: erfassung, pruefung, freigabe, verwaltung (mailroom.Role).
	Roles []string `toml:"roles"`
}

// Default returns the embedded default configuration with dataDir set.
func Default(dataDir string) (*Config, error) {
	c := &Config{}
	md, err := toml.Decode(string(DefaultTOML()), c)
	if err != nil {
		return nil, fmt.Errorf("embedded default configuration: %w", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("embedded default configuration: unknown key %q", u[0].String())
	}
	if dataDir != "" {
		c.DataDir = dataDir
	}
	return c, c.finish()
}

// Load reads a TOML file over the embedded defaults. Unknown keys are an
// error that names the key. dataDir, if not empty, overrides data_dir.
func Load(path, dataDir string) (*Config, error) {
	c, err := Default("")
	if err != nil {
		return nil, err
	}
	// Lists in the file replace the default lists, not extend them.
	c.Folders, c.Targets, c.Operators, c.Desk.Fields = nil, nil, nil, nil
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(data), c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		keys := make([]string, len(u))
		for i, k := range u {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("config %s: unknown key %s", path, strings.Join(keys, ", "))
	}
	// Sections with list defaults: if the file has none, keep the defaults.
	def, _ := Default("")
	if !md.IsDefined("folders") {
		c.Folders = def.Folders
	}
	if !md.IsDefined("targets") {
		c.Targets = def.Targets
	}
	if !md.IsDefined("desk", "fields") {
		c.Desk.Fields = def.Desk.Fields
	}
	c.path = path
	if dataDir != "" {
		c.DataDir = dataDir
	}
	if c.DataDir != "" && !filepath.IsAbs(c.DataDir) {
		c.DataDir = filepath.Join(filepath.Dir(path), c.DataDir)
	}
	return c, c.finish()
}

func (c *Config) finish() error {
	if c.DataDir == "" {
		c.DataDir = "poststelle-data"
	}
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	for i := range c.Folders {
		f := &c.Folders[i]
		if f.Protection == "" {
			f.Protection = ProtectionNormal
		}
		if f.AfterIntake == "" {
			f.AfterIntake = "delete"
		}
		if f.Name == "" {
			f.Name = filepath.Base(f.Path)
		}
	}
	return c.Validate()
}

// Validate checks the configuration and names the first bad field.
func (c *Config) Validate() error {
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		return fmt.Errorf("log.format: %q is not one of auto, text, json", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Log.Level)
	}
	if c.Intake.StableDelay.Duration < 0 {
		return fmt.Errorf("intake.stable_delay must not be negative")
	}
	if c.Pipeline.Workers < 0 {
		return fmt.Errorf("pipeline.workers must not be negative")
	}
	names := map[string]bool{}
	for i, f := range c.Folders {
		if f.Path == "" {
			return fmt.Errorf("folders[%d].path is empty", i)
		}
		if names[f.Name] {
			return fmt.Errorf("folders[%d].name %q is used twice", i, f.Name)
		}
		names[f.Name] = true
		if !f.Protection.Valid() {
			return fmt.Errorf("folders[%d].protection: %q is not one of normal, hoch, sehr hoch", i, f.Protection)
		}
		if f.AfterIntake != "delete" && f.AfterIntake != "move" {
			return fmt.Errorf("folders[%d].after_intake: %q is not delete or move", i, f.AfterIntake)
		}
	}
	tn := map[string]bool{}
	for i, t := range c.Targets {
		if t.Name == "" {
			return fmt.Errorf("targets[%d].name is empty", i)
		}
		if tn[t.Name] {
			return fmt.Errorf("targets[%d].name %q is used twice", i, t.Name)
		}
		tn[t.Name] = true
		switch t.Type {
		case "folder", "webdav", "cmis", "paperless":
		default:
			return fmt.Errorf("targets[%d].type: %q is not one of folder, webdav, cmis, paperless", i, t.Type)
		}
	}
	for _, v := range sectionValidators {
		if err := v(c); err != nil {
			return err
		}
	}
	// Last, so that a LegacyPasswordError means everything else is valid.
	return c.checkLegacyHashes()
}

// sectionValidators lets each section file add its own checks.
var sectionValidators []func(*Config) error

// Resolve makes a configured path absolute, relative to the data directory.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.DataDir, p)
}

// Secret reads a secret from a file or an environment variable. It never logs it.
func Secret(file, env string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("secret file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if env != "" {
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("secret: environment variable %s is not set", env)
		}
		return v, nil
	}
	return "", nil
}
