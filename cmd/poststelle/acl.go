package main

import (
	"crypto/sha1"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Least privilege on Windows (docs/install.md). The service runs as the
// virtual account NT SERVICE\Poststelle. `poststelle.exe service secure`
// (run by the MSI as LocalSystem after the files are installed, and by
// `service install`) gives %ProgramData%\Poststelle these access control
// lists in SDDL, not inherited from ProgramData (whose "Users: read and
// create" would let every local user read the mail or plant a
// configuration). packaging/windows/poststelle.wxs carries the same strings
// in its Property table (TestMSIACLs checks that they agree).
const serviceAccount = `NT SERVICE\Poststelle`

// serviceName is the Windows service the MSI registers (and `service install`).
const serviceName = "Poststelle"

var (
	// serviceSIDString is the SID of NT SERVICE\Poststelle.
	serviceSIDString = virtualAccountSID(serviceName)
	// dataDirSDDL: SYSTEM and Administrators full control, the service
	// modify (read, write, delete; no change of permissions), nobody else;
	// inherited by everything below (data, originals, database, log).
	dataDirSDDL = "O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;" + serviceSIDString + ")"
	// inboxSDDL (the default hot folder data\inbox): as the data folder,
	// and local users may create files and sub-folders there (0x100006:
	// add file, add sub-folder, synchronize) but not list or read it.
	inboxSDDL = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;" + serviceSIDString + ")(A;;0x100006;;;BU)"
	// configSDDL (poststelle.toml): owned by Administrators, written by
	// SYSTEM and Administrators, read by the service.
	configSDDL = "O:BAD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;" + serviceSIDString + ")"
)

// virtualAccountSID computes the SID of the virtual account NT SERVICE\name:
// S-1-5-80 followed by the SHA-1 of the upper-case service name in UTF-16LE,
// as five little-endian 32-bit sub-authorities.
func virtualAccountSID(name string) string {
	u := utf16.Encode([]rune(strings.ToUpper(name)))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	h := sha1.Sum(b)
	parts := []string{"S-1-5-80"}
	for i := 0; i < 5; i++ {
		v := uint32(h[4*i]) | uint32(h[4*i+1])<<8 | uint32(h[4*i+2])<<16 | uint32(h[4*i+3])<<24
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, "-")
}
