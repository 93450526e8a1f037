// Package embedded implements ui.Model over a local store and engine: the
// desk's standalone mode, with the engine running in the same process.
// Page previews are rendered from the stored original (the document of
// record) with a mailroom.PageOpener, turned by the desk's rotation, scaled
// and cached in memory (previews and thumbnails) and on disk (thumbnails,
// under work/desk-thumbs/, safe to delete).
package embedded
