package mailroom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfig(t *testing.T) {
	c, err := Default("/tmp/pst")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/tmp/pst" {
		t.Errorf("data dir %q", c.DataDir)
	}
	if c.Intake.StableDelay.Duration != 2*time.Second {
		t.Errorf("stable delay %v, want 2s", c.Intake.StableDelay)
	}
	if len(c.Folders) != 1 || c.Folders[0].Path != "inbox" || c.Resolve(c.Folders[0].Path) != "/tmp/pst/inbox" {
		t.Errorf("default folder: %+v", c.Folders)
	}
	if len(c.Targets) != 1 || c.Targets[0].Type != "folder" || c.Targets[0].Path != "export" {
		t.Errorf("default target: %+v", c.Targets)
	}
	if c.Recognition.Languages != "deu+eng" {
		t.Errorf("languages %q", c.Recognition.Languages)
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "poststelle.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadUnknownKeyNamesIt(t *testing.T) {
	p := writeConfig(t, "data_dir = \"d\"\n[intake]\nstable_dely = \"3s\"\n")
	_, err := Load(p, "")
	if err == nil || !strings.Contains(err.Error(), "intake.stable_dely") {
		t.Fatalf("want error naming intake.stable_dely, got %v", err)
	}
}

func TestLoadOverridesAndKeepsDefaults(t *testing.T) {
	p := writeConfig(t, `data_dir = "data"
[intake]
stable_delay = "500ms"
[[folders]]
path = "/srv/scan"
name = "scanner"
protection = "sehr hoch"
after_intake = "move"
poll = true
`)
	c, err := Load(p, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != filepath.Join(filepath.Dir(p), "data") {
		t.Errorf("relative data_dir not resolved against the config file: %s", c.DataDir)
	}
	if c.Intake.StableDelay.Duration != 500*time.Millisecond || c.Intake.RescanInterval.Duration != time.Minute {
		t.Errorf("intake %+v", c.Intake)
	}
	if len(c.Folders) != 1 || c.Folders[0].Protection != ProtectionSehrHoch || !c.Folders[0].Poll {
		t.Errorf("folders %+v", c.Folders)
	}
	if len(c.Targets) != 1 {
		t.Errorf("default target lost: %+v", c.Targets)
	}
}

func TestValidateNamesBadField(t *testing.T) {
	for body, want := range map[string]string{
		"[[folders]]\npath = \"x\"\nprotection = \"mittel\"\n": "folders[0].protection",
		"[[folders]]\npath = \"x\"\nafter_intake = \"keep\"\n": "folders[0].after_intake",
		"[log]\nformat = \"xml\"\n":                            "log.format",
		"[[targets]]\nname = \"a\"\ntype = \"ftp\"\n":          "targets[0].type",
	} {
		_, err := Load(writeConfig(t, body), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: want error naming %s, got %v", body, want, err)
		}
	}
}

func TestDefaultTOMLDocumentsEveryField(t *testing.T) {
	// Every line with a key in the default file is preceded by a comment
	// somewhere in its section; at least every table has comments.
	s := string(DefaultTOML())
	for _, sec := range []string{"[log]", "[http]", "[intake]", "[pipeline]", "[[folders]]", "[recognition]", "[separators]", "[mail]", "[evidence]", "[outbox]", "[[targets]]"} {
		if !strings.Contains(s, sec) {
			t.Errorf("default configuration lacks %s", sec)
		}
	}
}
