package api

import (
	"errors"
	"net/http"

	"qrpos/payments/checkout"
)

// PINUnlock is the answer of POST /v1/pin/unlock.
type PINUnlock struct {
	// Cleared: the lock was lifted and the count of wrong PINs starts again
	// (false: there was no wrong PIN to clear).
	Cleared bool `json:"cleared"`
}

// unlockPIN is POST /v1/pin/unlock: IT lifts the manager PIN's lockout,
// either on this computer (the socket's file mode is the authentication)
// or from the LAN with the API token; the PIN itself is never asked. It is
// audited, and refused (409 pin_clear_limit) after checkout.MaxPINClears
// clearings without a right PIN in between, so that it cannot be used to
// guess the PIN without limit.
func (s *Server) unlockPIN(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.Profile()
	j := s.journal()
	before, err := checkout.ReadPINLock(r.Context(), j, p.TID)
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	cl := clientOf(r)
	err = checkout.ClearPINLock(r.Context(), j, p.TID, "api:"+cl.id, "local API, "+cl.kind)
	if errors.Is(err, checkout.ErrPINClearLimit) {
		writeError(w, &Error{Status: http.StatusConflict, Code: CodePINClearLimit, Message: err.Error()})
		return
	}
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	s.log.Info("manager PIN lock cleared over the API", "client", cl.id, "failures_before", before.Failures)
	writeJSON(w, http.StatusOK, PINUnlock{Cleared: before.Failures > 0})
}
