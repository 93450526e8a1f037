package mailroom

import "testing"

func TestTransitions(t *testing.T) {
	allowed := []struct{ from, to State }{
		{StateReceived, StateSplitting}, {StateSplitting, StateRecognising}, {StateRecognising, StateReview},
		{StateReview, StateApproved}, {StateApproved, StateExporting}, {StateExporting, StateExported},
		{StateReceived, StateQuarantined}, {StateQuarantined, StateReceived}, {StateReview, StateRejected},
		{StateExporting, StateApproved},
	}
	for _, c := range allowed {
		if !c.from.CanTransition(c.to) {
			t.Errorf("%s → %s should be allowed", c.from, c.to)
		}
	}
	forbidden := []struct{ from, to State }{
		{StateReceived, StateExported}, {StateExported, StateReview}, {StateReview, StateExported},
		{StateRejected, StateApproved}, {StateRecognising, StateExported}, {StateApproved, StateRejected},
	}
	for _, c := range forbidden {
		if c.from.CanTransition(c.to) {
			t.Errorf("%s → %s should be forbidden", c.from, c.to)
		}
	}
	for _, s := range AllStates {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if State("bogus").Valid() {
		t.Error("unknown state reported valid")
	}
}

func TestSniffMediaType(t *testing.T) {
	cases := []struct {
		head, name, want string
	}{
		{"%PDF-1.7\n", "x.bin", MediaPDF},
		{"junk\n%PDF-1.4", "y", MediaPDF},
		{"II*\x00abc", "a", MediaTIFF},
		{"MM\x00*abc", "a", MediaTIFF},
		{"\xff\xd8\xff\xe0", "a", MediaJPEG},
		{"\x89PNG\r\n\x1a\nxx", "a", MediaPNG},
		{"", "broken.pdf", MediaPDF},
		{"<?xml version=\"1.0\"?><Invoice>", "r.xml", MediaXML},
		{"From: a@b\nTo: c@d\nSubject: x\n\nbody", "mail", MediaEML},
		{"hello world", "notes.txt", MediaUnknown},
	}
	for _, c := range cases {
		if got := SniffMediaType([]byte(c.head), c.name); got != c.want {
			t.Errorf("SniffMediaType(%q, %q) = %s, want %s", c.head, c.name, got, c.want)
		}
	}
}
