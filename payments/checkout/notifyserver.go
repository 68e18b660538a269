package checkout

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"qrpos/payments"
)

// NotifyLimits bound what a client of the notification server can hold:
// the port is open to the network, and whoever reaches it must not be able
// to keep connections, goroutines or memory for long.
type NotifyLimits struct {
	ReadHeaderTimeout time.Duration // to read a request's headers
	ReadTimeout       time.Duration // to read a whole request, body included
	WriteTimeout      time.Duration // from the end of the request's headers to the end of the answer
	IdleTimeout       time.Duration // a keep-alive connection waiting for its next request
	MaxBodyBytes      int64         // a longer body is answered 413
	MaxConns          int           // connections served at once; more wait to be accepted
}

// DefaultNotifyLimits: a body sent a byte at a time, or an idle keep-alive
// connection, is closed within 20 s; notifications are a few hundred bytes.
func DefaultNotifyLimits() NotifyLimits {
	return NotifyLimits{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       20 * time.Second,
		MaxBodyBytes:      64 << 10,
		MaxConns:          64,
	}
}

// withDefaults fills in the zero fields.
func (l NotifyLimits) withDefaults() NotifyLimits {
	d := DefaultNotifyLimits()
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	return l
}

// Notifier is a gateway whose provider sends asynchronous notifications:
// its handler verifies each one and hands it to deliver.
type Notifier interface {
	payments.Gateway
	NotificationHandler(deliver func(context.Context, payments.Notification) error) http.Handler
}

// NotificationRoutes routes each notifying gateway's notifications to its
// handler, under prefix + "/" + its provider's name ("/notify/eftpay"):
// the URL the engine gives that provider (Config.NotifyURL).
func NotificationRoutes(prefix string, deliver func(context.Context, payments.Notification) error, gws ...payments.Gateway) *http.ServeMux {
	mux := http.NewServeMux()
	prefix = strings.TrimSuffix(prefix, "/")
	for _, g := range gws {
		if n, ok := g.(Notifier); ok {
			mux.Handle(prefix+"/"+string(g.Provider()), n.NotificationHandler(deliver))
		}
	}
	return mux
}

// ServeNotifications serves the providers' notification handlers h on ln
// within lim (a zero field takes its default) and returns the running
// server: Shutdown or Close it to stop serving (that closes ln too).
func ServeNotifications(ln net.Listener, h http.Handler, lim NotifyLimits) *http.Server {
	srv := newNotifyServer(h, lim)
	go srv.Serve(limitListener(ln, lim.withDefaults().MaxConns))
	return srv
}

func newNotifyServer(h http.Handler, lim NotifyLimits) *http.Server {
	lim = lim.withDefaults()
	return &http.Server{
		Handler:           bodyLimit(h, lim.MaxBodyBytes),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
}

// bodyLimit reads the whole body (under the server's read timeout) before
// h sees the request: a body over max is answered 413, one that does not
// arrive 408, and h never waits on a slow client.
func bodyLimit(h http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			w.Header().Set("Connection", "close")
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			http.Error(w, "body not received", http.StatusRequestTimeout)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

// limitListener accepts at most n connections at once: the next one waits
// (in the kernel's backlog) until one of them is closed.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
