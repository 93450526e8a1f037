package store

import (
	"context"
	"database/sql"
	"errors"

	"poststelle/mailroom"
)

// MailFolderState returns the UIDVALIDITY and highest handled UID of a
// mailbox folder (0, 0 if unknown).
func (s *Store) MailFolderState(ctx context.Context, account, folder string) (uidValidity, lastUID uint32, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM mail_folders WHERE account = ? AND folder = ?`,
		account, folder).Scan(&uidValidity, &lastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return uidValidity, lastUID, err
}

// SetMailFolderState records the folder's UIDVALIDITY and highest handled UID.
// A changed UIDVALIDITY is journaled.
func (s *Store) SetMailFolderState(ctx context.Context, account, folder string, uidValidity, lastUID uint32) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var old uint32
		err := tx.QueryRow(`SELECT uidvalidity FROM mail_folders WHERE account = ? AND folder = ?`, account, folder).Scan(&old)
		if err == nil && old != uidValidity {
			if err := s.appendJournal(tx, &mailroom.JournalEntry{Actor: "mail:" + account, Action: "mail-uidvalidity-changed",
				Detail: detail(map[string]any{"folder": folder, "old": old, "new": uidValidity})}); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(`INSERT INTO mail_folders (account, folder, uidvalidity, last_uid, updated_at) VALUES (?,?,?,?,?)
			ON CONFLICT(account, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`, account, folder, uidValidity, lastUID, s.ts(s.now()))
		return err
	})
}

// MailRecord is one mail the mailbox source has stored.
type MailRecord struct {
	MessageID   string
	SHA256      string
	Account     string
	Folder      string
	UIDValidity uint32
	UID         uint32
	BatchID     string
}

// MailKnown reports whether a mail with this Message-ID and content hash
// was stored before (from any account or folder).
func (s *Store) MailKnown(ctx context.Context, messageID, sha256 string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM mail_messages WHERE message_id = ? AND sha256 = ?`, messageID, sha256).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// RecordMail remembers a stored mail; recording the same mail again is a no-op.
func (s *Store) RecordMail(ctx context.Context, r MailRecord) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mail_messages (message_id, sha256, account, folder, uidvalidity, uid, batch_id, stored_at)
		VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(message_id, sha256) DO NOTHING`,
		r.MessageID, r.SHA256, r.Account, r.Folder, r.UIDValidity, r.UID, r.BatchID, s.ts(s.now()))
	return err
}

// MailCount returns how many mails were recorded (tests, status).
func (s *Store) MailCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_messages`).Scan(&n)
	return n, err
}
