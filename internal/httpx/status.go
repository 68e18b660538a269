// Package httpx holds the small net/http helpers that more than one server
// of the terminal needs (the local API and the providers' sandbox). It owns
// no server and no route; it imports only the standard library.
package httpx

import "net/http"

// StatusWriter remembers the status a handler answered, for a log line or
// a request record. It unwraps, so http.ResponseController still reaches
// the connection through it (write deadlines, hijacking).
type StatusWriter struct {
	http.ResponseWriter
	// Status is the status written, 0 until the handler wrote anything
	// (200 once it wrote a body without a header).
	Status int
}

// WriteHeader notes the first status and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write notes 200 when no status was written first, as net/http does.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap is for http.ResponseController.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
