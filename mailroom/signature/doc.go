// Package signature checks CMS (PKCS #7) signatures of incoming documents:
// S/MIME mails (detached and opaque), .p7m / .p7s files and signed PDFs
// (/ByteRange signatures, adbe.pkcs7.detached and ETSI.CAdES.detached). It only
// reads: signed content is never modified. The result (integrity, signer,
// whether the signer chains to a trusted CA) becomes document metadata.
// Qualified-signature validation against the EU trust lists is out of scope;
// trust here means the system roots plus a configured CA file.
package signature
