package inbox

import (
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ack marks stored mails on the server: MOVE to move_to, or the keyword.
//
// Without MOVE the fallback is COPY + STORE \Deleted; the copies are then
// removed with UID EXPUNGE (UIDPLUS), which removes only these UIDs. A plain
// EXPUNGE would also remove every mail another client marked \Deleted, so
// without UIDPLUS nothing is expunged: the mails stay marked \Deleted (and
// with the keyword, if the server takes it) until the server or the owner's
// client expunges them, and the search skips \Deleted mails (searchCriteria).
func (s *IMAPSource) ack(c *imapclient.Client, caps imap.CapSet, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	to := s.Account.MoveTo
	if to == "" {
		return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.Flag(s.Account.Keyword)}}, nil).Close()
	}
	if caps.Has(imap.CapMove) {
		if _, err := c.Move(set, to).Wait(); err != nil {
			return fmt.Errorf("move to %s: %w", to, err)
		}
		return nil
	}
	if _, err := c.Copy(set, to).Wait(); err != nil {
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("store \\Deleted: %w", err)
	}
	if caps.Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	// Best effort: a server may refuse new keywords; \Deleted is enough for
	// the search to skip these mails.
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{s.ackKeyword()}}, nil).Close(); err != nil {
		s.log().Debug("Schlüsselwort nicht gesetzt / keyword not set", "keyword", s.ackKeyword(), "err", err)
	}
	return nil
}

// StoredKeyword marks mails copied to move_to on a server without MOVE and
// UIDPLUS (unless the account sets its own keyword).
const StoredKeyword = "$PoststelleStored"

func (s *IMAPSource) ackKeyword() imap.Flag {
	if s.Account.Keyword != "" {
		return imap.Flag(s.Account.Keyword)
	}
	return StoredKeyword
}

// searchCriteria selects the mails of a folder still to be looked at: all
// with move_to (stored mails leave the folder), those without the keyword
// otherwise; with move_to on a server without MOVE and UIDPLUS the stored
// mails stay marked \Deleted and are skipped.
func (s *IMAPSource) searchCriteria(caps imap.CapSet) *imap.SearchCriteria {
	crit := &imap.SearchCriteria{}
	switch {
	case s.Account.MoveTo == "" && s.Account.Keyword != "":
		crit.NotFlag = []imap.Flag{imap.Flag(s.Account.Keyword)}
	case s.Account.MoveTo != "" && !caps.Has(imap.CapMove) && !caps.Has(imap.CapUIDPlus):
		crit.NotFlag = []imap.Flag{imap.FlagDeleted}
	}
	return crit
}
