package mailroom

import (
	"reflect"
	"strings"
	"testing"
)

// The embedded default configuration and DefaultFields describe the same form.
func TestDeskDefaultsMatchDomainSchema(t *testing.T) {
	c, err := Default(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Desk.Fields, DefaultFields()) {
		t.Fatalf("defaults/60-desk.toml and DefaultFields differ:\n%+v\n%+v", c.Desk.Fields, DefaultFields())
	}
	if !strings.Contains(string(DefaultTOML()), "[desk]") {
		t.Error("default configuration lacks [desk]")
	}
	f, ok := c.Desk.Schema().Field("document_type")
	if !ok || f.Kind != FieldChoice || !reflect.DeepEqual(f.Options, DocumentTypes) {
		t.Errorf("document_type %+v", f)
	}
	if (DeskConfig{}).Schema()[0].Key != "document_type" {
		t.Error("an empty [desk] does not fall back to DefaultFields")
	}
}

// A field list in the file replaces the default list; fields it leaves out
// are not inherited from the default field at the same position.
func TestDeskFieldsReplaceDefaults(t *testing.T) {
	c, err := Load(writeConfig(t, `[[desk.fields]]
key = "sender"
label_de = "Absender"
label_en = "Sender"
[[desk.fields]]
key = "kassenzeichen"
label_de = "Kassenzeichen"
label_en = "Cash reference"
required = true
`), "")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Desk.Schema()
	if len(s) != 2 || s[0].Key != "sender" || s[1].Key != "kassenzeichen" {
		t.Fatalf("schema %+v", s)
	}
	if s[0].Required || s[0].Kind != FieldText || len(s[0].Options) != 0 {
		t.Errorf("first field inherited from the default list: %+v", s[0])
	}
	if !s[1].Required || s[1].Kind != FieldText {
		t.Errorf("second field %+v", s[1])
	}
	// Without [desk] in the file, the defaults stay.
	c, err = Load(writeConfig(t, "instance = \"x\"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Desk.Fields, DefaultFields()) {
		t.Errorf("default form lost: %+v", c.Desk.Fields)
	}
	// The printed default (`poststelle config`) loads back to the same form.
	c, err = Load(writeConfig(t, string(DefaultTOML())), "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Desk.Fields, DefaultFields()) {
		t.Errorf("default configuration file gives the form %+v", c.Desk.Fields)
	}
}

func TestDeskValidateNamesBadField(t *testing.T) {
	field := func(body string) string { return "[[desk.fields]]\n" + body }
	ok := "label_de = \"A\"\nlabel_en = \"A\"\n"
	for body, want := range map[string]string{
		field("key = \"\"\n" + ok):                                      "desk.fields[0].key",
		field("key = \"a b\"\n" + ok):                                   "desk.fields[0].key",
		field("key = \"a\"\n"+ok) + field("key = \"a\"\n"+ok):           "desk.fields[1].key: \"a\" is used twice",
		field("key = \"approved_by\"\n" + ok):                           "desk.fields[0].key: \"approved_by\"",
		field("key = \"a\"\nlabel_de = \"A\"\n"):                        "desk.fields[0] (a): label_de and label_en",
		field("key = \"a\"\nkind = \"number\"\n" + ok):                  "desk.fields[0].kind",
		field("key = \"a\"\nkind = \"choice\"\n" + ok):                  "desk.fields[0].options",
		field("key = \"a\"\nkind = \"date\"\noptions = [\"x\"]\n" + ok): "desk.fields[0].options",
	} {
		_, err := Load(writeConfig(t, body), "")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: want error naming %s, got %v", body, want, err)
		}
	}
}
