package terminal

import (
	"context"
	"time"
)

// HQState is the link to head office as the status bar shows it.
type HQState struct {
	On         bool      // the profile in force names a head office
	Backlog    int64     // entries head office does not hold yet
	LastUpload time.Time // when head office last answered (zero: never)
	Err        string    // why the last contact failed ("" when it did not)
	// Refused is head office's reason when it refused the last batch (a
	// wrong token, a journal another terminal's tid owns): retrying
	// changes nothing until a person acts.
	Refused string
	// RelayUp: the stream of relayed notifications is open; RelayRefused
	// counts relayed notifications that did not verify here (a wrong key at
	// head office, or a body altered on the way).
	RelayUp      bool
	RelayRefused int64
}

// HQState is the link's state now.
func (t *Terminal) HQState() HQState {
	p := t.Profile()
	s := HQState{On: p.HQ.URL != "" && p.HQ.Token != ""}
	var err error
	s.Backlog, s.LastUpload, err = t.journal.OutboxBacklog(context.Background())
	s.Err, s.Refused = t.hqErrors()
	if err != nil {
		s.Err = err.Error()
	}
	r := t.RelayStatus()
	s.RelayUp, s.RelayRefused = r.Connected, r.Refused
	return s
}

// WatchHQ calls report with the link's state now and then whenever it
// changes, looking every `every` (0: 5 s), until ctx ends. report runs on
// the watcher's goroutine.
func (t *Terminal) WatchHQ(ctx context.Context, every time.Duration, report func(HQState)) {
	if every <= 0 {
		every = 5 * time.Second
	}
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		var last HQState
		for first := true; ; first = false {
			if s := t.HQState(); first || s != last {
				last = s
				report(s)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}
