//go:build !windows

package terminal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// chimePlayers are the sound players tried in turn: PulseAudio's (and
// PipeWire's through it), PipeWire's own, ALSA's, macOS's.
var chimePlayers = []struct {
	name string
	args []string
}{{"paplay", nil}, {"pw-play", nil}, {"aplay", []string{"-q"}}, {"afplay", nil}}

// errNoPlayer: none of chimePlayers is installed.
var errNoPlayer = errors.New("no sound player found (paplay, pw-play, aplay or afplay)")

// PlayWAV plays wav through the first sound player found on PATH.
func PlayWAV(ctx context.Context, wav []byte) error {
	for _, p := range chimePlayers {
		bin, err := exec.LookPath(p.name)
		if err != nil {
			continue
		}
		path, err := wavPath(wav)
		if err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, bin, append(p.args, path)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", p.name, err, bytes.TrimSpace(out))
		}
		return nil
	}
	return errNoPlayer
}

// wavPath is a file holding wav, for the players that read files: in the
// user's cache folder, written when missing or different.
func wavPath(wav []byte) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "qrpos")
	path := filepath.Join(dir, "chime.wav")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, wav) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("chime: %w", err)
	}
	f, err := os.CreateTemp(dir, "chime-*.wav")
	if err != nil {
		return "", fmt.Errorf("chime: %w", err)
	}
	_, err = f.Write(wav)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("chime: %w", err)
	}
	return path, nil
}
