package inbox_test

import (
	"testing"

	"poststelle/mailroom"
	"poststelle/mailroom/classifiertest"
	"poststelle/mailroom/inbox"
	"poststelle/mailroom/testcorpus"
)

func TestClassifierSuite(t *testing.T) {
	e := func(name string) string { return testcorpus.Path(t, "eml", name) }
	classifiertest.Run(t, &inbox.Classifier{}, []classifiertest.Case{
		{Name: "html-inline", Path: e("html-mime-inline.eml"), MediaType: mailroom.MediaEML, WantKeep: true, WantRendition: true,
			WantMeta: map[string]string{inbox.MetaFrom: ""}},
		{Name: "attachment-only", Path: e("attachment-only-no-disposition.eml"), MediaType: mailroom.MediaEML, WantKeep: true,
			WantRendition: true, WantMeta: map[string]string{"mail_attachment_count": "1"}},
	})
}
