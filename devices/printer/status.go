package printer

import (
	"errors"
	"fmt"
	"strings"
)

// Errors a print job or a status query can end with. Each means the job
// was not (or not surely) printed: the caller keeps it queued and retries.
// Status problems come as a *StatusError that wraps one of the first four.
var (
	ErrPaperOut  = errors.New("paper out")
	ErrCoverOpen = errors.New("cover open")
	ErrFault     = errors.New("printer fault (cutter or mechanism error)")
	ErrOffline   = errors.New("printer offline")
	ErrNoAnswer  = errors.New("printer did not answer")
)

// Status is the printer's real-time status (DLE EOT 1 to 4).
type Status struct {
	Online          bool
	DrawerHigh      bool // drawer kick connector pin 3 high: the drawer is open (see DrawerOpen)
	CoverOpen       bool
	FeedButton      bool // paper being fed by the FEED button
	PaperStop       bool // printing stopped because of paper end
	Error           bool // an error occurred
	Recoverable     bool // recoverable mechanical error
	CutterError     bool
	Unrecoverable   bool
	AutoRecoverable bool // e.g. head overheated
	PaperNearEnd    bool
	PaperOut        bool
	Raw             [4]byte // the four answers, as received
}

// DrawerOpen reports the cash drawer open: its switch, on pin 3 of the
// drawer kick connector, reads high; a drawer wired the other way reads
// open while shut.
func (s Status) DrawerOpen() bool { return s.DrawerHigh }

// validStatus reports whether b has the fixed bits of a DLE EOT answer
// (bit 1 and bit 4 set, bits 0 and 7 clear); XON (0x11) and XOFF (0x13)
// never do.
func validStatus(b byte) bool { return b&0x93 == 0x12 }

// ParseStatus reads the answers to DLE EOT 1, 2, 3 and 4.
func ParseStatus(raw [4]byte) Status {
	p, o, e, s := raw[0], raw[1], raw[2], raw[3]
	return Status{
		Online:          p&0x08 == 0,
		DrawerHigh:      p&0x04 != 0,
		CoverOpen:       o&0x04 != 0,
		FeedButton:      o&0x08 != 0,
		PaperStop:       o&0x20 != 0,
		Error:           o&0x40 != 0,
		Recoverable:     e&0x04 != 0,
		CutterError:     e&0x08 != 0,
		Unrecoverable:   e&0x20 != 0,
		AutoRecoverable: e&0x40 != 0,
		PaperNearEnd:    s&0x0c != 0,
		PaperOut:        s&0x60 != 0 || o&0x20 != 0,
		Raw:             raw,
	}
}

// Err is nil when the printer can print (paper near its end is only a
// warning), else a *StatusError saying why not.
func (s Status) Err() error {
	var cause error
	switch {
	case s.CoverOpen:
		cause = ErrCoverOpen
	case s.PaperOut:
		cause = ErrPaperOut
	case s.Error || s.Recoverable || s.CutterError || s.Unrecoverable || s.AutoRecoverable:
		cause = ErrFault
	case !s.Online:
		cause = ErrOffline
	default:
		return nil
	}
	return &StatusError{Status: s, Err: cause}
}

// String lists what is wrong, or "ok".
func (s Status) String() string {
	var parts []string
	add := func(on bool, what string) {
		if on {
			parts = append(parts, what)
		}
	}
	add(!s.Online, "offline")
	add(s.CoverOpen, "cover open")
	add(s.PaperOut, "paper out")
	add(s.PaperNearEnd, "paper near end")
	add(s.CutterError, "cutter error")
	add(s.Unrecoverable, "unrecoverable error")
	add(s.AutoRecoverable, "auto-recoverable error")
	add(s.Recoverable, "recoverable error")
	add(s.Error && !s.CutterError && !s.Unrecoverable && !s.AutoRecoverable && !s.Recoverable, "error")
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, ", ")
}

// StatusError is a printer that answered but cannot print. Err is
// ErrCoverOpen, ErrPaperOut, ErrFault or ErrOffline (use errors.Is).
type StatusError struct {
	Status Status
	Err    error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%v (status %s; DLE EOT 1-4 = % x)", e.Err, e.Status, e.Status.Raw[:])
}

func (e *StatusError) Unwrap() error { return e.Err }

// answer is what a printer in this state replies to DLE EOT n; ok is false
// for an n it does not know.
func (st virtualState) answer(n byte) (byte, bool) {
	b := byte(0x12)
	switch n {
	case 1:
		if st.paperOut || st.coverOpen {
			b |= 0x08
		}
		if st.drawerOpen {
			b |= 0x04
		}
	case 2:
		if st.coverOpen {
			b |= 0x04
		}
		if st.paperOut {
			b |= 0x20
		}
		if st.fault {
			b |= 0x40
		}
	case 3:
		if st.fault {
			b |= 0x08
		}
	case 4:
		if st.nearEnd {
			b |= 0x0c
		}
		if st.paperOut {
			b |= 0x60
		}
	default:
		return 0, false
	}
	return b, true
}
