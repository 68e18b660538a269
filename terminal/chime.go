package terminal

// The paid chime: a short sound when a sale becomes paid, so the cashier
// hears it without looking. On unless the profile says chime = false. The
// sound is made here (a WAV of two notes); the OS plays it (chime_unix.go:
// paplay, pw-play, aplay or afplay; chime_windows.go: winmm's PlaySound).

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// ChimePlayer plays a WAV sound to its end, or until ctx ends.
type ChimePlayer func(ctx context.Context, wav []byte) error

// chimePlayTimeout bounds one chime: a player that hangs (a sound server
// gone) is stopped rather than left holding the chime.
const chimePlayTimeout = 5 * time.Second

// chime follows the engine in force and rings on each paid sale.
type chime struct {
	t    *Terminal
	ctx  context.Context
	play ChimePlayer
	// heard, when set (tests), is told of each paid sale after the chime
	// rang for it or not.
	heard func(no string, rang bool)

	mu     sync.Mutex
	engine *checkout.Engine // the engine followed
	unsub  func()
	warned bool // the first failure to play is logged; the rest are not
}

// StartChime plays the paid chime (play; nil: the OS's player) each time
// a sale becomes paid while the profile in force has it on, until ctx ends.
// It follows the engine across Apply.
func (t *Terminal) StartChime(ctx context.Context, play ChimePlayer) {
	if play == nil {
		play = PlayWAV
	}
	t.startChime(ctx, play, nil)
}

func (t *Terminal) startChime(ctx context.Context, play ChimePlayer, heard func(string, bool)) {
	c := &chime{t: t, ctx: ctx, play: play, heard: heard}
	t.mu.Lock()
	t.chime = c
	t.mu.Unlock()
	c.follow()
	go func() {
		<-ctx.Done()
		c.stop()
	}()
}

// followChime moves the chime to the engine now in force (after Apply).
func (t *Terminal) followChime() {
	t.mu.Lock()
	c := t.chime
	t.mu.Unlock()
	if c != nil {
		c.follow()
	}
}

// follow subscribes to the engine in force, once.
func (c *chime) follow() {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.t.Engine()
	if e == c.engine || c.ctx.Err() != nil {
		return
	}
	if c.unsub != nil {
		c.unsub() // the old engine's updates still queued are heard out
	}
	ch, unsub := e.Subscribe(64)
	c.engine, c.unsub = e, unsub
	go c.listen(ch)
}

func (c *chime) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unsub != nil {
		c.unsub()
		c.unsub = nil
	}
}

// listen rings for each sale that becomes paid. The engine publishes a
// state change once, when it is journalled; refunds move to other states.
func (c *chime) listen(ch <-chan checkout.Update) {
	for u := range ch {
		if u.Kind != checkout.UpdateState || u.Refund != nil || u.Order.State != payments.Paid {
			continue
		}
		rang := c.t.Profile().ChimeOn() && c.ctx.Err() == nil
		if rang {
			c.ring()
		}
		if c.heard != nil {
			c.heard(u.Order.OutTradeNo, rang)
		}
	}
}

// ring plays the chime to its end; its failure is logged once.
func (c *chime) ring() {
	ctx, cancel := context.WithTimeout(c.ctx, chimePlayTimeout)
	defer cancel()
	err := c.play(ctx, chimeWAV())
	if err == nil {
		return
	}
	c.mu.Lock()
	first := !c.warned
	c.warned = true
	c.mu.Unlock()
	if first {
		c.t.log.Warn("the paid chime did not play (reported once)", "err", err)
	}
}

// chimeWAV is the paid chime, made once.
var chimeWAV = sync.OnceValue(makeChime)

// The chime's sound: 16-bit mono PCM.
const (
	chimeRate    = 16000 // samples a second
	chimeSeconds = 0.5
)

// makeChime draws two bell-like notes a major third apart (E6 then C6),
// each with a soft attack and a decay, as a WAV file (about 16 KB).
func makeChime() []byte {
	n := int(chimeRate * chimeSeconds)
	notes := []struct{ hz, start float64 }{{1318.51, 0}, {1046.50, 0.14}}
	pcm := make([]byte, 2*n)
	for i := range n {
		at := float64(i) / chimeRate
		v := 0.0
		for _, note := range notes {
			t := at - note.start
			if t < 0 {
				continue
			}
			env := math.Min(t/0.005, 1) * math.Exp(-t*7)
			v += env * (math.Sin(2*math.Pi*note.hz*t) + 0.3*math.Sin(4*math.Pi*note.hz*t))
		}
		if tail := chimeSeconds - at; tail < 0.02 {
			v *= tail / 0.02 // no click at the end
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(math.Round(v*9000))))
	}
	return wavFile(chimeRate, pcm)
}

// wavFile wraps 16-bit mono PCM samples in a RIFF/WAVE header.
func wavFile(rate int, pcm []byte) []byte {
	b := make([]byte, 0, 44+len(pcm))
	le := binary.LittleEndian
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+len(pcm)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)             // fmt chunk size
	b = le.AppendUint16(b, 1)              // PCM
	b = le.AppendUint16(b, 1)              // mono
	b = le.AppendUint32(b, uint32(rate))   // samples a second
	b = le.AppendUint32(b, uint32(rate*2)) // bytes a second
	b = le.AppendUint16(b, 2)              // bytes a sample
	b = le.AppendUint16(b, 16)             // bits a sample
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(pcm)))
	return append(b, pcm...)
}
