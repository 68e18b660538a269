package terminal

import (
	"context"
	"errors"
	"path/filepath"

	"qrpos/payments/checkout"
	"qrpos/storage"
)

// JournalPath is the profile's journal file; a relative path is relative
// to the config file's directory.
func JournalPath(configPath string, p checkout.Profile) string {
	path := p.Journal
	if path == "" {
		path = "pos.db"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(configPath), path)
	}
	return path
}

// OpenJournal opens the journal and profile of configPath without
// providers: it loads the file, opens the journal it names as its owner and
// brings the journal's copy of the profile up to date.
func OpenJournal(ctx context.Context, configPath string) (*storage.Journal, checkout.Profile, error) {
	file, err := checkout.LoadProfileFile(configPath)
	if err != nil {
		return nil, file, err
	}
	j, err := storage.Open(ctx, JournalPath(configPath, file))
	if err != nil {
		return nil, file, err
	}
	p, err := checkout.SyncProfile(ctx, j, file)
	if err != nil {
		j.Close()
		return nil, file, err
	}
	return j, p, nil
}

// OpenForReading opens the journal for a face that only reads: as its
// owner when no other program holds it, or read-only (no recovery, no
// write) while a terminal runs. Read-only, the profile is the file's.
func OpenForReading(ctx context.Context, configPath string) (*storage.Journal, checkout.Profile, error) {
	j, p, err := OpenJournal(ctx, configPath)
	var le *storage.LockedError
	if !errors.As(err, &le) {
		return j, p, err
	}
	file, ferr := checkout.LoadProfileFile(configPath)
	if ferr != nil {
		return nil, file, ferr
	}
	j, err = storage.OpenReadOnly(ctx, JournalPath(configPath, file))
	if err != nil {
		return nil, file, err
	}
	return j, file, nil
}
