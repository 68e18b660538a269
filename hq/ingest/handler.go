package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"qrpos/hq/auth"
	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// Handler serves POST wire.IngestPath.
type Handler struct {
	DB  *store.DB
	Log *slog.Logger
}

// ServeHTTP authenticates the terminal, reads and checks its batch,
// stores it in one transaction and answers the wire.Ack. A refused batch
// gets a 4xx wire.Error and nothing of it is stored.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply.Error(w, http.StatusMethodNotAllowed, "method", "POST a batch")
		return
	}
	tid, ok := h.terminal(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		reply.Error(w, http.StatusRequestEntityTooLarge, "too_large", "a batch has at most 8 MiB")
		return
	case err != nil:
		reply.Error(w, http.StatusBadRequest, "bad_batch", "the batch did not arrive whole")
		return
	}
	u, err := Parse(data)
	if err != nil {
		reply.Error(w, http.StatusBadRequest, "bad_batch", err.Error())
		return
	}
	if u.TID != tid {
		reply.Error(w, http.StatusForbidden, "wrong_tid", "this token belongs to terminal "+tid+", not "+u.TID)
		return
	}
	h.store(r.Context(), w, u)
}

// terminal is the tid of the request's terminal token; it answers 401
// when there is none.
func (h *Handler) terminal(w http.ResponseWriter, r *http.Request) (string, bool) {
	token := auth.Bearer(r)
	if !strings.HasPrefix(token, auth.TerminalPrefix) {
		reply.Error(w, http.StatusUnauthorized, "token", "send the terminal's token: Authorization: Bearer hqt_...")
		return "", false
	}
	tid, _, err := h.DB.TerminalByToken(r.Context(), auth.Hash(token))
	switch {
	case errors.Is(err, store.ErrUnknownTerminal):
		reply.Error(w, http.StatusUnauthorized, "token", "no terminal is enrolled with this token")
		return "", false
	case err != nil:
		h.Log.Error("ingest: find the terminal", "err", err)
		reply.Error(w, http.StatusInternalServerError, "internal", "the database did not answer")
		return "", false
	}
	return tid, true
}

func (h *Handler) store(ctx context.Context, w http.ResponseWriter, u store.Upload) {
	ack, err := h.DB.Ingest(ctx, u)
	var other *store.OtherTIDError
	switch {
	case errors.As(err, &other):
		reply.Error(w, http.StatusForbidden, "journal_of_other_tid", err.Error())
	case store.BadData(err):
		reply.Error(w, http.StatusBadRequest, "bad_entry", "PostgreSQL refused an entry: "+err.Error())
	case err != nil && ctx.Err() != nil:
		h.Log.Warn("ingest: the terminal went away mid-batch; nothing stored", "tid", u.TID, "journal", u.JournalID)
	case err != nil:
		h.Log.Error("ingest: store a batch", "tid", u.TID, "journal", u.JournalID, "err", err)
		reply.Error(w, http.StatusInternalServerError, "internal", "the batch was not stored; send it again")
	default:
		if ack.Conflicts > 0 {
			h.Log.Warn("ingest: entries held with other content kept as conflicts", "tid", u.TID,
				"journal", u.JournalID, "conflicts", ack.Conflicts)
		}
		reply.JSON(w, http.StatusOK, ack)
	}
}
