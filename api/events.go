package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"qrpos/payments/checkout"
	"qrpos/storage"
)

// eventWriteTimeout bounds each write of the event stream: a till that
// stops reading is dropped, not waited for.
const eventWriteTimeout = 10 * time.Second

// events is GET /v1/events: every update the engine publishes, as
// server-sent events ("event: <kind>", "data: <JSON Event>"), and a comment
// every Config.Heartbeat so that the till (and anything between) knows the
// stream is alive. The stream follows the engine in force when the
// terminal replaces it. A till that falls behind loses updates rather than
// slow a sale down (checkout.Engine.Subscribe): the journal remains the
// truth (GET /v1/charges/{id}).
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	send := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	e := s.engine()
	updates, stop := e.Subscribe(256)
	defer func() { stop() }()
	asks, stopAsks := s.askEvents.Subscribe(16)
	defer stopAsks()
	w.WriteHeader(http.StatusOK) // subscribed: the till sees every update after its answer
	if !send([]byte(": qrpos events\nretry: 2000\n\n")) {
		return
	}
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	check := time.NewTicker(time.Second)
	defer check.Stop()
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				updates = nil
				continue
			}
			if !send(s.eventOf(r.Context(), e, u)) {
				return
			}
		case b := <-asks:
			if !send(b) {
				return
			}
		case <-beat.C:
			if !send([]byte(": heartbeat\n\n")) {
				return
			}
		case <-check.C:
			if cur := s.engine(); cur != e {
				stop()
				e = cur
				updates, stop = e.Subscribe(256)
			}
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
}

// eventOf renders one update as a server-sent event.
func (s *Server) eventOf(ctx context.Context, e *checkout.Engine, u checkout.Update) []byte {
	ev := Event{Kind: string(u.Kind), Message: u.Message, Previous: u.Previous, Origin: u.Origin}
	if u.Order.OutTradeNo != "" {
		id, ref := u.Order.OutTradeNo, ""
		if sale := s.findSale(e, u.Order.OutTradeNo); sale != nil {
			id, ref = sale.Order.OutTradeNo, sale.Reference
		}
		if ac, err := e.Journal().APIChargeFor(ctx, id); err == nil {
			id, ref = ac.ID(), ac.Reference
		} else if !errors.Is(err, storage.ErrNotFound) {
			s.log.Debug("event: charge lookup", "order", u.Order.OutTradeNo, "err", err)
		}
		c := chargeOf(id, u.Order, ref)
		ev.Charge = &c
	}
	if u.Refund != nil {
		rf := refundOf(*u.Refund)
		ev.Refund = &rf
	}
	return sse(ev)
}

// sse renders an event as a server-sent event.
func sse(ev Event) []byte {
	data, _ := json.Marshal(ev)
	var b bytes.Buffer
	b.WriteString("event: ")
	b.WriteString(ev.Kind)
	b.WriteString("\ndata: ")
	b.Write(data) // json.Marshal never writes a line break
	b.WriteString("\n\n")
	return b.Bytes()
}

// publishAsk sends an ask's event to every stream; a stream that does not
// keep up loses it (the charge itself is the truth).
func (s *Server) publishAsk(ev Event) { s.askEvents.Publish(sse(ev)) }
