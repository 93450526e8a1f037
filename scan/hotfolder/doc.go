// Package hotfolder is the hot-folder Source: watched folders (fsnotify,
// polling for network shares, a periodic full rescan) whose files are taken
// only once they have settled and acknowledged (deleted or moved to done/)
// only after intake stored them.
package hotfolder
