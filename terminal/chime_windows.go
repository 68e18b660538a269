//go:build windows

package terminal

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"
)

// PlaySoundW's flags (mmsystem.h).
const (
	sndSync      = 0x0000 // return when the sound has played
	sndNoDefault = 0x0002 // no system beep when the sound cannot play
	sndMemory    = 0x0004 // the sound is a WAV image in memory
)

var playSound = windows.NewLazySystemDLL("winmm.dll").NewProc("PlaySoundW")

// PlayWAV plays wav through winmm's PlaySoundW, to its end. ctx cannot
// stop it once it plays (the chime lasts half a second).
func PlayWAV(ctx context.Context, wav []byte) error {
	if len(wav) == 0 {
		return errors.New("no sound")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := playSound.Find(); err != nil {
		return fmt.Errorf("PlaySoundW: %w", err)
	}
	ok, _, err := playSound.Call(uintptr(unsafe.Pointer(&wav[0])), 0, sndMemory|sndNoDefault|sndSync)
	runtime.KeepAlive(wav)
	if ok == 0 {
		return fmt.Errorf("PlaySoundW: %w", err)
	}
	return nil
}
