//go:build !unix

package upswift

import (
	"io/fs"
	"os"
)

// openPrivate opens the pace file. On Windows the user's cache directory
// (%LocalAppData%) is the user's own by its access control list, and file
// modes are not permissions, so there is nothing more to ask of the file.
func openPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// private has no owner or mode to check here: see openPrivate.
func private(fs.FileInfo) error { return nil }
