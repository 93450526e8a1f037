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

// RecordMail remembers a stored mail (by Message-ID and content hash, and by
// its place account/folder/UIDVALIDITY/UID); recording it again is a no-op.
func (s *Store) RecordMail(ctx context.Context, account, folder string, uidValidity, uid uint32, messageID, sha256 string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO mail_messages (message_id, sha256, account, folder, uidvalidity, uid, stored_at)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT(message_id, sha256) DO NOTHING`,
		messageID, sha256, account, folder, uidValidity, uid, s.ts(s.now()))
	return err
}

// MailRecordedAt reports whether the mail at account/folder/UIDVALIDITY/UID
// was recorded as stored (its acknowledgement may have failed).
func (s *Store) MailRecordedAt(ctx context.Context, account, folder string, uidValidity, uid uint32) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM mail_messages WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ? LIMIT 1`,
		account, folder, uidValidity, uid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MailCount returns how many mails were recorded (tests, status).
func (s *Store) MailCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_messages`).Scan(&n)
	return n, err
}
