package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockedError is a journal another program owns. Open returns it at once,
// without waiting and without writing to the journal. PID, Command and Since
// come from the owner's record in the lock file; they are zero when it could
// not be read.
type LockedError struct {
	Path    string
	PID     int
	Command string
	Since   time.Time
}

func (e *LockedError) Error() string {
	who := "another program"
	if e.PID != 0 {
		who = fmt.Sprintf("%q (pid %d)", e.Command, e.PID)
		if !e.Since.IsZero() {
			since := e.Since.Local()
			layout := "15:04:05"
			if y, m, d := since.Date(); y != time.Now().Year() || m != time.Now().Month() || d != time.Now().Day() {
				layout = "2006-01-02 15:04:05"
			}
			who += " since " + since.Format(layout)
		}
	}
	return fmt.Sprintf("journal %s is in use by %s: one program at a time writes a journal; stop it first, or use its local API", e.Path, who)
}

// errLockHeld is what tryLock returns when another open file holds the lock.
var errLockHeld = errors.New("lock held")

// ownerRecord is what the owner of a journal writes into its lock file.
type ownerRecord struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	Since   string `json:"since"` // RFC 3339
}

// fileLock is the owner's exclusive lock on "<journal>.lock". The OS frees
// it when the owner's process ends, however it ends. The lock file is never
// removed: a process that removed it could let two others lock two
// different files of the same name.
type fileLock struct {
	f *os.File
}

// lockJournal takes the exclusive, non-blocking lock of the journal at path
// and writes the owner record, or returns a *LockedError naming the owner.
// A second lock of the same journal in the same process is refused too: the
// lock belongs to the open file, not to the process.
func lockJournal(path string) (*fileLock, error) {
	lp := path + ".lock"
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal %s: lock: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, lockedBy(path, f)
		}
		return nil, fmt.Errorf("journal %s: lock %s: %w", path, lp, err)
	}
	rec, _ := json.Marshal(ownerRecord{PID: os.Getpid(), Command: ownerCommand(os.Args), Since: time.Now().Format(time.RFC3339)})
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteAt(rec, 0)
	}
	if err != nil {
		unlock(f)
		f.Close()
		return nil, fmt.Errorf("journal %s: lock %s: owner record: %w", path, lp, err)
	}
	return &fileLock{f: f}, nil
}

// lockedBy reads the owner record of a lock another open file holds. The
// owner writes it right after taking the lock, so an empty record is read
// again for a moment before the owner is reported unnamed.
func lockedBy(path string, f *os.File) *LockedError {
	e := &LockedError{Path: path}
	for try := 0; try < 5; try++ {
		buf := make([]byte, 1024)
		n, _ := f.ReadAt(buf, 0)
		var rec ownerRecord
		if n > 0 && json.Unmarshal(buf[:n], &rec) == nil && rec.PID != 0 {
			e.PID, e.Command = rec.PID, rec.Command
			e.Since, _ = time.Parse(time.RFC3339, rec.Since)
			return e
		}
		time.Sleep(10 * time.Millisecond)
	}
	return e
}

// ownerCommand names the owning program for people: the program's base name
// and its first argument when that is a subcommand, never a flag or a value
// that could be a secret.
func ownerCommand(args []string) string {
	if len(args) == 0 {
		return "?"
	}
	cmd := filepath.Base(args[0])
	if len(args) > 1 && args[1] != "" && !strings.HasPrefix(args[1], "-") && !strings.ContainsAny(args[1], "=/\\") {
		cmd += " " + args[1]
	}
	if len(cmd) > 200 {
		cmd = cmd[:200]
	}
	return cmd
}

// release empties the owner record and frees the lock.
func (l *fileLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
