// Package reply writes head office's JSON answers: a value, or a
// wire.Error with its status. It imports qrpos/hq/wire and the standard
// library only.
package reply

import (
	"encoding/json"
	"net/http"

	"qrpos/hq/wire"
)

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// Error writes a wire.Error with status.
func Error(w http.ResponseWriter, status int, code, message string) {
	JSON(w, status, wire.Error{Code: code, Message: message})
}
