package mailroom

import (
	"fmt"
	"net"
)

// APIConfig configures the HTTPS API of the engine for desks in client mode
// and scan stations (mailroom/api, docs/api.md). Defaults in
// defaults/80-api.toml.
type APIConfig struct {
	// Listen is the address of the HTTPS listener ("" = off, the default).
	Listen string `toml:"listen"`
	// CertFile and KeyFile are the server certificate and key (PEM). Both
	// empty: a self-signed certificate is made at the first start and kept
	// in <data_dir>/tls/ (cert.pem, key.pem).
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// Hosts are further names and addresses the generated certificate is
	// made for, besides the host name, localhost, 127.0.0.1 and ::1.
	Hosts []string `toml:"hosts"`
	// ImportProfile is the folder profile ([[folders]] name) of imports
	// that name none; "" = protection normal, no department.
	ImportProfile string `toml:"import_profile"`
}

// Enabled reports whether the API listens.
func (a APIConfig) Enabled() bool { return a.Listen != "" }

func init() {
	sectionValidators = append(sectionValidators, func(c *Config) error {
		a := c.API
		if (a.CertFile == "") != (a.KeyFile == "") {
			return fmt.Errorf("api.cert_file and api.key_file: give both or neither")
		}
		if a.Listen != "" {
			if _, _, err := net.SplitHostPort(a.Listen); err != nil {
				return fmt.Errorf("api.listen %q: %v", a.Listen, err)
			}
		}
		if a.ImportProfile != "" {
			if _, ok := c.FolderProfile(a.ImportProfile); !ok {
				return fmt.Errorf("api.import_profile %q: no [[folders]] of that name", a.ImportProfile)
			}
		}
		return nil
	})
}

// FolderProfile returns the profile of the watched folder named name.
func (c *Config) FolderProfile(name string) (Profile, bool) {
	for _, f := range c.Folders {
		if f.Name == name {
			return f.Profile, true
		}
	}
	return Profile{}, false
}
