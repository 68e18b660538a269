package terminal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"

	"qrpos/api"
	"qrpos/internal/fanout"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// Options says which terminal to open.
type Options struct {
	// ConfigPath is the profile (TOML, mode 0600); its journal path is
	// relative to it. Ignored in demo mode.
	ConfigPath string
	// Log receives the terminal's log (nil: discarded).
	Log *slog.Logger
	// Demo runs the built-in provider sandbox on a loopback port with a
	// demo profile: no credentials, the virtual printer.
	Demo bool
	// DemoJournal is the demo's journal (empty: demo.db in the user's
	// config directory); DemoTID its terminal id (empty: DEMO01).
	DemoJournal string
	DemoTID     string
	// DemoSandbox is the sandbox demo mode serves (nil: a new one). Tests
	// hand theirs in to inject faults and to see its orders.
	DemoSandbox *sandbox.Server
	// Tune adjusts the engine's configuration after the profile's (tests:
	// a faster poll, shorter timeouts). Nil: the profile's as it is.
	Tune func(*checkout.Config)
}

// Terminal is one open terminal: its journal, the profile in force and
// the engine, gateways and notification server wired for it, the receipts,
// and once started the devices, the local API and the health probes.
type Terminal struct {
	log      *slog.Logger
	tune     func(*checkout.Config)
	journal  *storage.Journal
	receipts *checkout.Receipts
	demo     *demo
	devices  *devices
	health   *health
	api      func()
	asks     *asks
	applied  fanout.Fanout[checkout.Profile] // each profile put in force (apply.go)
	chime    *chime                          // the paid chime, once started (chime.go)

	mu  sync.Mutex
	cur *wiring
	srv *api.Server // the local API, once served

	applyMu sync.Mutex // one Apply at a time (the manager's, head office's)
	hqMu    sync.Mutex
	hq      *hqLink    // the link to head office, once started (hq.go)
	relay   *relayLink // head office's notification relay, once started (relay.go)
}

// Open opens the terminal of o: the profile, the journal (as its only
// owner), the gateways, the engine, the receipts and, when the profile sets
// notify_listen, the notification server.
func Open(ctx context.Context, o Options) (*Terminal, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Demo {
		return openDemo(ctx, o)
	}
	if o.ConfigPath == "" {
		return nil, errors.New("terminal: no config file")
	}
	j, p, err := OpenJournal(ctx, o.ConfigPath)
	if err != nil {
		return nil, err
	}
	t, err := newTerminal(ctx, j, p, o)
	if err != nil {
		j.Close()
		return nil, err
	}
	return t, nil
}

// newTerminal wires profile p over journal j.
func newTerminal(ctx context.Context, j *storage.Journal, p checkout.Profile, o Options) (*Terminal, error) {
	log := o.Log
	t := &Terminal{log: log, journal: j, tune: o.Tune, asks: newAsks()}
	t.receipts = &checkout.Receipts{J: j, Profile: t.Profile}
	w, err := wire(ctx, j, p, log, t.receipts, t.tune)
	if err != nil {
		return nil, err
	}
	t.cur = w
	t.devices = newDevices(j, log)
	t.health = newHealth(log)
	return t, nil
}

// Engine is the engine in force (Apply replaces it).
func (t *Terminal) Engine() *checkout.Engine {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur.engine
}

// Profile is the profile in force.
func (t *Terminal) Profile() checkout.Profile {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur.profile
}

// Journal is the journal, for command-line faces only: the window reads
// through the terminal's own methods.
func (t *Terminal) Journal() *storage.Journal { return t.journal }

// Receipts builds and queues the terminal's receipts.
func (t *Terminal) Receipts() *checkout.Receipts { return t.receipts }

// Log is the terminal's logger.
func (t *Terminal) Log() *slog.Logger { return t.log }

// Close stops the link to head office, the local API, the devices, the
// health probes, the engine and the notification server, closes the
// journal and, in demo mode, stops the sandbox.
func (t *Terminal) Close() {
	t.stopRelay()
	t.stopHQ()
	if t.api != nil {
		t.api()
	}
	t.devices.stop()
	t.health.stop()
	t.mu.Lock()
	w := t.cur
	t.mu.Unlock()
	w.close()
	t.journal.Close()
	if t.demo != nil {
		t.demo.close()
	}
}
