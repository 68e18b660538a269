//go:build !windows

package terminal

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlayWAVRunsThePlayer: the OS path runs the first player on PATH with
// a file holding the sound; with none, it says so.
func TestPlayWAVRunsThePlayer(t *testing.T) {
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if err := PlayWAV(context.Background(), chimeWAV()); !errors.Is(err, errNoPlayer) {
		t.Fatalf("no player: %v", err)
	}
	record := filepath.Join(t.TempDir(), "args")
	t.Setenv("RECORD", record)
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" >> \"$RECORD\"\n"
	if err := os.WriteFile(filepath.Join(bin, "paplay"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := PlayWAV(context.Background(), chimeWAV()); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(args) != 2 || args[0] != args[1] {
		t.Fatalf("paplay ran with %q", args)
	}
	if wav, err := os.ReadFile(args[0]); err != nil || !bytes.Equal(wav, chimeWAV()) {
		t.Fatalf("paplay was given %s: %v", args[0], err)
	}
	fail := "#!/bin/sh\necho 'Connection failure: Connection refused' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "paplay"), []byte(fail), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := PlayWAV(context.Background(), chimeWAV()); err == nil || !strings.Contains(err.Error(), "Connection refused") {
		t.Fatalf("a failing player: %v", err)
	}
}
