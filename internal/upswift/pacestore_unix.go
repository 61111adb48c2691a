//go:build unix

package upswift

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openPrivate opens the pace file, created owner-only, and never through a
// symbolic link: one planted in its place could point at another file of
// the user's, which a corrupt pace would overwrite.
func openPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
}

// private checks that only this user could have written what fi describes:
// owned by this user, and neither the group nor others may write it (a
// file: nor read it, mode 0600 at most).
func private(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("no owner to check")
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Errorf("owned by user %d, not by this user (%d): not trusted", st.Uid, uid)
	}
	wider := fs.FileMode(0o077)
	if fi.IsDir() {
		wider = 0o022
	}
	if fi.Mode().Perm()&wider != 0 {
		return fmt.Errorf("mode %#o is wider than owner-only: not trusted", fi.Mode().Perm())
	}
	return nil
}
