// Package embedded implements ui.Model over a local store and engine: the
// desk's standalone mode, with the engine running in the same process. The
// work itself (views, page images, changes) is mailroom/desk, which the
// HTTPS API uses too; this package adds the login (mailroom/identity, the
// OS user where no operators are configured) and acts for the person
// logged in.
package embedded
