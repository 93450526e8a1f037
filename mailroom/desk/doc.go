// Package desk is the desk's work over the store and the engine, without
// widgets, shared by the desk with the engine embedded (ui/embedded) and the
// HTTPS API (mailroom/api) that desks in client mode use: the Eingang rows,
// a document with its pages, OCR text and flags (the types of
// mailroom/api/apiv1), page images rendered from the stored original and
// cached (Renderer), desk leases, and the changes a person makes (Do),
// each passed to the engine with the acting mailroom.Actor and the version
// it was made on, so the engine checks the role, the version and the lease.
//
// Page previews are rendered from the stored original (the document of
// record) with a mailroom.PageOpener, turned by the desk's rotation, scaled
// and cached in memory (previews and thumbnails) and on disk (thumbnails,
// under work/desk-thumbs/, safe to delete).
package desk
