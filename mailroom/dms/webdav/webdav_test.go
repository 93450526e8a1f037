package webdav_test

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/dmstest"
	"poststelle/mailroom/dms/webdav"
	"poststelle/mailroom/dms/webdav/davtest"
)

func TestSuiteLighttpd(t *testing.T) {
	dmstest.Run(t, func(t *testing.T) *dmstest.Target {
		srv := davtest.Start(t)
		u, _ := url.Parse(srv.URL)
		proxy := &dmstest.FaultProxy{Next: httputil.NewSingleHostReverseProxy(u)}
		front := httptest.NewServer(proxy)
		t.Cleanup(front.Close)
		return &dmstest.Target{
			New: func(t *testing.T, o dmstest.Options) mailroom.Exporter {
				pw := srv.Password
				if o.BadCredentials {
					pw = "falsch"
				}
				return &webdav.Client{Target: "dav", URL: front.URL, Folder: "Posteingang/2024", User: srv.User, Password: pw, Timeout: o.Timeout}
			},
			Objects: func(t *testing.T) []dmstest.Object { return dmstest.SidecarObjects(t, srv.Root) },
			Faults:  proxy,
		}
	})
}

var _ = time.Second
