package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
	"qrpos/hq/wire"
)

// tamper, when set (tests only: export_test.go), alters each body as it
// is written to a stream: head office turned hostile.
var tamper atomic.Pointer[func([]byte) []byte]

// streamBatch is how many notifications are read from the database at once.
const streamBatch = 100

// writeWithin bounds each write to a stream: a terminal that stops
// reading is let go.
const writeWithin = 30 * time.Second

// serveStream serves a terminal's stream: the notifications routed to its
// tid after its Last-Event-ID (without one: after the last it
// acknowledged), kept within Keep, then each one as it is kept; a comment
// every heartbeat; the end after MaxStream, when the terminal resumes.
func (r *Relay) serveStream(w http.ResponseWriter, req *http.Request) {
	tid, ok := r.terminal(w, req)
	if !ok {
		return
	}
	last, resume, err := lastEventID(req)
	if err != nil {
		reply.Error(w, http.StatusBadRequest, "last_event_id", err.Error())
		return
	}
	s := r.hub.join(tid) // before reading: a notification kept meanwhile wakes it
	defer r.hub.leave(s)
	ctx := req.Context()
	after, err := r.cfg.DB.OpenRelay(ctx, tid, last, resume, r.cfg.Now())
	if err != nil {
		r.log.Error("opening a stream", "tid", tid, "err", err)
		reply.Error(w, http.StatusInternalServerError, "internal", "the database did not answer")
		return
	}
	rc := http.NewResponseController(w) // each write sets its own deadline: the server's write timeout would end the stream
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies pass each event on at once
	w.WriteHeader(http.StatusOK)
	r.log.Info("terminal's stream opened", "tid", tid, "after", after)
	if err := r.stream(ctx, w, rc, s, after); err != nil && ctx.Err() == nil {
		r.log.Info("terminal's stream ended", "tid", tid, "err", err)
	}
}

// stream writes the stream until ctx ends, MaxStream passes or a write
// fails.
func (r *Relay) stream(ctx context.Context, w io.Writer, rc *http.ResponseController, s *sub, after int64) error {
	if err := write(w, rc, ": "+s.tid+"\n\n"); err != nil {
		return err
	}
	beat := time.NewTicker(r.cfg.Heartbeat)
	defer beat.Stop()
	end := time.NewTimer(r.cfg.MaxStream)
	defer end.Stop()
	for {
		var err error
		if after, err = r.sendWaiting(ctx, w, rc, s.tid, after); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end.C:
			return nil
		case <-r.ending:
			return nil
		case <-s.wake:
		case <-beat.C:
			if err := write(w, rc, ": ping\n\n"); err != nil {
				return err
			}
		}
	}
}

// sendWaiting writes the notifications of tid after after and returns
// the last id written.
func (r *Relay) sendWaiting(ctx context.Context, w io.Writer, rc *http.ResponseController, tid string, after int64) (int64, error) {
	for {
		list, err := r.cfg.DB.RelayEvents(ctx, tid, after, r.cfg.Now().Add(-r.cfg.Keep), streamBatch)
		if err != nil {
			return after, err
		}
		for _, n := range list {
			if err := write(w, rc, event(n)); err != nil {
				return after, err
			}
			after = n.EventID
		}
		if len(list) < streamBatch {
			return after, nil
		}
	}
}

// event is n as a server-sent event.
func event(n store.Notification) string {
	body := n.Body
	if f := tamper.Load(); f != nil {
		body = (*f)(append([]byte(nil), body...))
	}
	data, _ := json.Marshal(wire.RelayedNotification{ID: n.EventID, Provider: n.Provider, Body: body, Header: n.Header,
		ReceivedAt: n.ReceivedAt.UTC()}) // one line: JSON escapes every newline
	return fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", n.EventID, wire.RelayEvent, data)
}

// write writes text and flushes it, within writeWithin.
func write(w io.Writer, rc *http.ResponseController, text string) error {
	if err := rc.SetWriteDeadline(time.Now().Add(writeWithin)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := io.WriteString(w, text); err != nil {
		return err
	}
	return rc.Flush()
}

// lastEventID is the request's Last-Event-ID (resume false: none).
func lastEventID(req *http.Request) (id int64, resume bool, err error) {
	v := strings.TrimSpace(req.Header.Get("Last-Event-ID"))
	if v == "" {
		return 0, false, nil
	}
	id, err = strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, false, errors.New("the Last-Event-ID header must be an event's id: a number")
	}
	return id, true, nil
}

// terminal is the tid of the request's terminal token; it answers 401
// when there is none (as ingest does).
func (r *Relay) terminal(w http.ResponseWriter, req *http.Request) (string, bool) {
	token := auth.Bearer(req)
	if !strings.HasPrefix(token, auth.TerminalPrefix) {
		reply.Error(w, http.StatusUnauthorized, "token", "send the terminal's token: Authorization: Bearer hqt_...")
		return "", false
	}
	tid, _, err := r.cfg.DB.TerminalByToken(req.Context(), auth.Hash(token))
	switch {
	case errors.Is(err, store.ErrUnknownTerminal):
		reply.Error(w, http.StatusUnauthorized, "token", "no terminal is enrolled with this token")
		return "", false
	case err != nil:
		r.log.Error("stream: find the terminal", "err", err)
		reply.Error(w, http.StatusInternalServerError, "internal", "the database did not answer")
		return "", false
	}
	return tid, true
}
