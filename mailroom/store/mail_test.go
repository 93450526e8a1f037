package store

import (
	"context"
	"testing"
)

func TestMailState(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	v, u, err := s.MailFolderState(ctx, "a", "INBOX")
	if err != nil || v != 0 || u != 0 {
		t.Fatalf("empty state: %d %d %v", v, u, err)
	}
	if err := s.SetMailFolderState(ctx, "a", "INBOX", 7, 42); err != nil {
		t.Fatal(err)
	}
	if v, u, _ = s.MailFolderState(ctx, "a", "INBOX"); v != 7 || u != 42 {
		t.Fatalf("state %d %d", v, u)
	}
	if err := s.SetMailFolderState(ctx, "a", "INBOX", 8, 0); err != nil {
		t.Fatal(err)
	}
	if v, u, _ = s.MailFolderState(ctx, "a", "INBOX"); v != 8 || u != 0 {
		t.Fatalf("state after UIDVALIDITY change %d %d", v, u)
	}
	known, _ := s.MailKnown(ctx, "<m@x>", "abc")
	if known {
		t.Fatal("unknown mail reported known")
	}
	if err := s.RecordMail(ctx, "a", "INBOX", 7, 1, "<m@x>", "abc"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordMail(ctx, "a", "Other", 9, 5, "<m@x>", "abc"); err != nil {
		t.Fatalf("recording twice: %v", err)
	}
	if at, _ := s.MailRecordedAt(ctx, "a", "INBOX", 7, 1); !at {
		t.Fatal("place not recorded")
	}
	if at, _ := s.MailRecordedAt(ctx, "a", "INBOX", 7, 2); at {
		t.Fatal("wrong place reported recorded")
	}
	if known, _ = s.MailKnown(ctx, "<m@x>", "abc"); !known {
		t.Fatal("recorded mail not known")
	}
	if known, _ = s.MailKnown(ctx, "<m@x>", "other"); known {
		t.Fatal("same Message-ID with other content must not count as known")
	}
	if n, _ := s.MailCount(ctx); n != 1 {
		t.Fatalf("count %d", n)
	}
}
