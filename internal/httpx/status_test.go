package httpx

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestStatusWriter(t *testing.T) {
	cases := []struct {
		name    string
		handler func(w http.ResponseWriter)
		want    int
	}{
		{"header first", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot); w.WriteHeader(http.StatusOK) }, http.StatusTeapot},
		{"body only", func(w http.ResponseWriter) { w.Write([]byte("x")) }, http.StatusOK},
		{"nothing", func(w http.ResponseWriter) {}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			sw := &StatusWriter{ResponseWriter: rec}
			c.handler(sw)
			if sw.Status != c.want {
				t.Fatalf("status %d, want %d", sw.Status, c.want)
			}
		})
	}
}

// TestStatusWriterReachesTheConnection: over a real connection,
// http.ResponseController reaches the connection through the wrapper (the
// API lifts write deadlines that way; the sandbox hijacks to drop a call).
func TestStatusWriterReachesTheConnection(t *testing.T) {
	hijacked := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &StatusWriter{ResponseWriter: w}
		rc := http.NewResponseController(sw)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
			hijacked <- err
			return
		}
		conn, _, err := rc.Hijack()
		hijacked <- err
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if err := <-hijacked; err != nil {
		t.Fatalf("through StatusWriter: %v", err)
	}
}
