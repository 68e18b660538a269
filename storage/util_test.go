package storage

import (
	"os"
	"testing"
)

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

// privateDir is a new temporary directory only its owner may enter: the
// journal refuses a directory others can read (t.TempDir() is made with
// mode 0777 minus the umask, usually 0755).
func privateDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}
