package cmis_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/dms/cmis"
	"poststelle/mailroom/dms/cmis/cmistest"
	"poststelle/mailroom/dms/dmstest"
)

func start(t *testing.T) (*cmistest.Server, *dmstest.FaultProxy, string) {
	repo := cmistest.New(t.TempDir(), "poststelle", "geheim")
	proxy := &dmstest.FaultProxy{Next: repo}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return repo, proxy, srv.URL + "/browser"
}

func mainDocs(repo *cmistest.Server) []dmstest.Object {
	var out []dmstest.Object
	for _, d := range repo.Documents() {
		if strings.HasSuffix(d.Name, ".pdf") {
			out = append(out, dmstest.Object{Name: d.Folder + "/" + d.Name, SHA256: d.SHA256, Size: d.Size})
		}
	}
	return out
}

func TestSuite(t *testing.T) {
	dmstest.Run(t, func(t *testing.T) *dmstest.Target {
		repo, proxy, u := start(t)
		return &dmstest.Target{
			New: func(t *testing.T, o dmstest.Options) mailroom.Exporter {
				pw := "geheim"
				if o.BadCredentials {
					pw = "falsch"
				}
				return &cmis.Client{Target: "alfresco", URL: u, Repository: cmistest.Repository, Folder: "/Posteingang/2024",
					User: "poststelle", Password: pw, Timeout: o.Timeout,
					Mapping: map[string]string{"title": "cmis:description", "department": "poststelle:abteilung"}}
			},
			Objects: func(t *testing.T) []dmstest.Object { return mainDocs(repo) },
			Faults:  proxy,
		}
	})
}

func TestPropertiesAndEvidence(t *testing.T) {
	repo, _, u := start(t)
	c := &cmis.Client{Target: "alfresco", URL: u, Repository: cmistest.Repository, Folder: "Posteingang", User: "poststelle", Password: "geheim",
		Mapping: map[string]string{"title": "cmis:description", "department": "poststelle:abteilung"}}
	doc := dmstest.NewDoc(t, t.TempDir(), 1000)
	rc, err := c.Export(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	docs := repo.Documents()
	if len(docs) != 2 {
		t.Fatalf("%d objects, want document + transfervermerk", len(docs))
	}
	var main, tv *cmistest.Doc
	for i := range docs {
		if strings.HasSuffix(docs[i].Name, ".pdf") {
			main = &docs[i]
		} else {
			tv = &docs[i]
		}
	}
	if main == nil || tv == nil || main.ID != rc.ObjectID || main.Folder != "/Posteingang" {
		t.Fatalf("objects %+v, receipt %+v", docs, rc)
	}
	if main.Props["cmis:description"] != "Brief Müller" || main.Props["poststelle:abteilung"] != "63" {
		t.Errorf("properties %v", main.Props)
	}
	if !strings.Contains(main.Name, doc.ID) || filepath.Ext(main.Name) != ".pdf" || !strings.HasSuffix(tv.Name, ".transfervermerk.xml") {
		t.Errorf("names %q %q", main.Name, tv.Name)
	}
	if s, err := c.Check(context.Background()); err != nil {
		t.Errorf("check: %v", err)
	} else {
		t.Log(s)
	}
}

func TestRejectedPropertyIsPermanent(t *testing.T) {
	repo, _, u := start(t)
	c := &cmis.Client{Target: "alfresco", URL: u, Repository: cmistest.Repository, Folder: "Posteingang", User: "poststelle", Password: "geheim",
		Mapping: map[string]string{"department": "my:unknownProperty"}}
	_, err := c.Export(context.Background(), dmstest.NewDoc(t, t.TempDir(), 1000))
	if err == nil || !mailroom.IsPermanent(err) || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("err = %v, want permanent invalidArgument", err)
	}
	if n := len(mainDocs(repo)); n != 0 {
		t.Fatalf("%d documents created", n)
	}
}
