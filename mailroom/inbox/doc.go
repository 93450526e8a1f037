// Package inbox is Poststelle's electronic mailbox: an IMAP / De-Mail source
// (emersion/go-imap/v2) that hands every mail to intake as its raw RFC 822
// bytes (.eml, the evidence) and marks it on the server only after it is
// stored; the MIME unpacking (emersion/go-message) that turns a stored mail
// into attachment batches (Expander); the readable PDF of the mail itself
// (Classifier); and the S/MIME signature check of signed mails. Mails are
// never imported twice: besides the store's (source, sha256) check the
// source remembers UIDVALIDITY + UID per folder and Message-ID + content
// hash per mail (store/mail.go).
package inbox
