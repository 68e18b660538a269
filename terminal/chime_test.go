package terminal

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// TestChimeWAV: the chime is a valid 16-bit mono PCM WAV of half a second,
// audible, not clipped, starting and ending near silence (no click).
func TestChimeWAV(t *testing.T) {
	b := chimeWAV()
	le := binary.LittleEndian
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("not a RIFF/WAVE file: % x", b[:min(len(b), 44)])
	}
	if got := le.Uint32(b[4:]); int(got) != len(b)-8 {
		t.Fatalf("RIFF size %d, file %d bytes", got, len(b))
	}
	fmtChunk := struct{ size, format, channels, rate, byteRate, align, bits int }{
		int(le.Uint32(b[16:])), int(le.Uint16(b[20:])), int(le.Uint16(b[22:])), int(le.Uint32(b[24:])),
		int(le.Uint32(b[28:])), int(le.Uint16(b[32:])), int(le.Uint16(b[34:]))}
	if fmtChunk != (struct{ size, format, channels, rate, byteRate, align, bits int }{16, 1, 1, chimeRate, 2 * chimeRate, 2, 16}) {
		t.Fatalf("fmt chunk %+v", fmtChunk)
	}
	data := b[44:]
	if got := le.Uint32(b[40:]); int(got) != len(data) || len(data) != 2*int(chimeRate*chimeSeconds) {
		t.Fatalf("data chunk says %d bytes, has %d", got, len(data))
	}
	if len(b) > 20<<10 {
		t.Fatalf("%d bytes: more than a chime needs", len(b))
	}
	peak := 0
	for i := 0; i+1 < len(data); i += 2 {
		peak = max(peak, abs(int(int16(le.Uint16(data[i:])))))
	}
	first, last := abs(int(int16(le.Uint16(data)))), abs(int(int16(le.Uint16(data[len(data)-2:]))))
	if peak < 8000 || peak > 30000 || first > 500 || last > 500 {
		t.Fatalf("peak %d, first %d, last %d", peak, first, last)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// payNow charges a customer's code the sandbox pays at once (a new code
// each time: a wallet's code pays once), and waits for the sale's end.
func payNow(t *testing.T, c *Terminal, minor int64) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := c.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800008",
		Amount: payments.Money{Minor: minor, Currency: "HKD"}, AuthCode: fmt.Sprintf("1345678901%06d12", minor)})
	if err != nil {
		t.Fatal(err)
	}
	last := w.First()
	for v := range w.Views() {
		last = v
	}
	if last.Order.State != payments.Paid {
		t.Fatalf("sale %s ended %s: %s", last.Order.OutTradeNo, last.Order.State, last.Order.Reason)
	}
	return last.Order.OutTradeNo
}

// TestChimeOncePerPaidSale: the chime plays once for each paid sale, not
// for a refund, not while the profile has it off, and follows the engine
// across Apply.
func TestChimeOncePerPaidSale(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	plays := 0
	play := func(_ context.Context, wav []byte) error {
		if !bytes.Equal(wav, chimeWAV()) {
			t.Error("played another sound")
		}
		mu.Lock()
		plays++
		mu.Unlock()
		return nil
	}
	type heard struct {
		no    string
		rang  bool
		plays int
	}
	got := make(chan heard, 16)
	c.startChime(ctx, play, func(no string, rang bool) {
		mu.Lock()
		defer mu.Unlock()
		got <- heard{no, rang, plays}
	})
	next := func() heard {
		t.Helper()
		select {
		case h := <-got:
			return h
		case <-time.After(15 * time.Second):
			t.Fatal("the chime never heard of the sale")
		}
		return heard{}
	}

	no := payNow(t, c, 1000)
	if h := next(); h != (heard{no, true, 1}) {
		t.Fatalf("first sale: %+v, want %s rung once", h, no)
	}
	if _, err := c.Engine().Refund(ctx, no, payments.Money{Minor: 400, Currency: "HKD"}); err != nil {
		t.Fatal(err)
	}
	p := c.Profile()
	p.SetChime(false)
	if err := c.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	no = payNow(t, c, 2000)
	if h := next(); h != (heard{no, false, 1}) {
		t.Fatalf("chime off: %+v, want %s heard, not rung (the refund neither)", h, no)
	}
	p.SetChime(true)
	if err := c.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	no = payNow(t, c, 3000)
	if h := next(); h != (heard{no, true, 2}) {
		t.Fatalf("chime on again: %+v", h)
	}
}

// TestChimeFailureLoggedOnce: a player that fails is reported in one log
// line, however many sales follow.
func TestChimeFailureLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	c := &chime{t: &Terminal{log: slog.New(slog.NewTextHandler(&buf, nil))}, ctx: context.Background(),
		play: func(context.Context, []byte) error { return errors.New("no sound player found") }}
	c.ring()
	c.ring()
	if n := strings.Count(buf.String(), "\n"); n != 1 || !strings.Contains(buf.String(), "no sound player") {
		t.Fatalf("log:\n%s", buf.String())
	}
}
