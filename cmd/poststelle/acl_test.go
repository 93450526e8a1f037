package main

import (
	"os"
	"regexp"
	"testing"
)

// TestVirtualAccountSID: the SID Windows gives NT SERVICE\TrustedInstaller
// (well known) comes out of the same computation.
func TestVirtualAccountSID(t *testing.T) {
	if got, want := virtualAccountSID("TrustedInstaller"), "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestMSIACLs: the MSI installs the service as NT SERVICE\Poststelle and
// its Property table holds exactly the ACLs this program applies.
func TestMSIACLs(t *testing.T) {
	wxs, err := os.ReadFile("../../packaging/windows/poststelle.wxs")
	if err != nil {
		t.Fatal(err)
	}
	for prop, want := range map[string]string{"POSTSTELLEDATAACL": dataDirSDDL, "POSTSTELLEINBOXACL": inboxSDDL, "POSTSTELLECONFIGACL": configSDDL} {
		m := regexp.MustCompile(`<Property Id="` + prop + `" Value="([^"]*)"`).FindSubmatch(wxs)
		if m == nil || string(m[1]) != want {
			t.Errorf("property %s in poststelle.wxs: %q, want %q", prop, m, want)
		}
	}
	if !regexp.MustCompile(`Account="NT SERVICE\\Poststelle"`).Match(wxs) {
		t.Errorf("ServiceInstall does not run as NT SERVICE\\Poststelle")
	}
}
