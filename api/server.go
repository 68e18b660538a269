package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"qrpos/internal/fanout"
	"qrpos/internal/httpx"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

//go:embed openapi.json
var openAPI []byte

// SocketName is the API's Unix socket, in the journal's directory.
const SocketName = "api.sock"

// SocketPath is the API socket of the journal at journalPath.
func SocketPath(journalPath string) string {
	return filepath.Join(filepath.Dir(journalPath), SocketName)
}

// Config sets up the API of one terminal.
type Config struct {
	// Engine is the engine in force: the terminal replaces it when the
	// manager saves the settings.
	Engine func() *checkout.Engine
	// Profile is the profile in force, with its secrets.
	Profile func() checkout.Profile
	Version string
	Logger  *slog.Logger
	// Limits bound each connection (zero fields: checkout's defaults:
	// 64 KiB bodies, 64 connections per listener, 15 s to read a request).
	Limits checkout.NotifyLimits
	// Heartbeat is the pause between SSE comments (default 15 s).
	Heartbeat time.Duration
	// MaxWait is the longest long-poll (default 120 s).
	MaxWait time.Duration
	// FirstAnswer is how long POST /v1/charges waits for the provider's
	// first answer (the QR code, or a customer-code payment's result)
	// before it answers (default 10 s).
	FirstAnswer time.Duration
	// Counter is the cashier's screen, for the charges a till leaves to
	// the cashier (no method, or any wallet's code); nil: such charges are
	// refused (method_required, auth_code_required).
	Counter Counter
	// AskTimeout is how long such a charge waits for the cashier (default
	// 3 minutes).
	AskTimeout time.Duration
	// Reconcile compares a Hong Kong day (zero: today) of the journal with
	// the providers' records, through the terminal's own gateways; nil:
	// GET /v1/reconciliation is not served.
	Reconcile func(ctx context.Context, day time.Time) (Reconciliation, error)
}

// Server is the running API. Close it before the engine.
type Server struct {
	cfg Config
	log *slog.Logger

	// chargeMu makes "is a sale in progress, reserve the key, charge,
	// bind the key" one step among the API's requests.
	chargeMu sync.Mutex
	// asks are the charges waiting for the cashier (guarded by chargeMu).
	asks map[string]*pendingAsk
	// askEvents are the asks' events (rendered), for the event streams.
	askEvents fanout.Fanout[[]byte]
	// refundMu makes "look the refund's Idempotency-Key up, reserve it,
	// refund, bind it" one step among the API's keyed refunds.
	refundMu sync.Mutex

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu      sync.Mutex
	servers []*http.Server
}

// Client kinds: how a request came in.
const (
	clientSocket = "socket"
	clientToken  = "token"
)

type clientKey struct{}

// client is who sent a request: the listener, and the ID the journal
// keeps for its keys (never the token).
type client struct {
	kind string
	id   string
}

func clientOf(r *http.Request) client {
	c, _ := r.Context().Value(clientKey{}).(client)
	return c
}

// New makes the API of a terminal; it serves nothing until ListenUnix or
// ListenTCP.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Profile == nil {
		return nil, errors.New("api: Engine and Profile are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 120 * time.Second
	}
	if cfg.FirstAnswer <= 0 {
		cfg.FirstAnswer = 10 * time.Second
	}
	if cfg.AskTimeout <= 0 {
		cfg.AskTimeout = 3 * time.Minute
	}
	if cfg.Limits.MaxBodyBytes <= 0 {
		cfg.Limits.MaxBodyBytes = 64 << 10
	}
	return &Server{cfg: cfg, log: cfg.Logger.With("component", "api"), done: make(chan struct{}),
		asks: map[string]*pendingAsk{}}, nil
}

// ListenUnix serves the API on a Unix socket at path (SocketPath), mode
// 0600. The socket is the authentication: it must be in a directory only
// the terminal's account may enter (the journal's, which storage already
// requires to be 0700), so that nobody else reaches it even in the instant
// between its creation and its chmod. A socket left by a terminal that
// stopped is removed; one that still answers is refused, as is a path that
// is not a socket.
func (s *Server) ListenUnix(path string) error {
	if runtime.GOOS != "windows" {
		di, err := os.Stat(filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("api socket %s: %w", path, err)
		}
		if di.Mode().Perm()&0o077 != 0 {
			return fmt.Errorf("api socket %s: the directory has mode %04o: others could reach the socket; fix it with: chmod 700 %s",
				path, di.Mode().Perm(), filepath.Dir(path))
		}
	}
	if fi, err := os.Lstat(path); err == nil {
		if runtime.GOOS != "windows" && fi.Mode().Type() != fs.ModeSocket {
			return fmt.Errorf("api socket %s: the path exists and is not a socket; move it away", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return fmt.Errorf("api socket %s: another program answers on it (is a terminal already running?)", path)
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("api socket %s: stale socket: %w", path, err)
		}
		s.log.Info("removed a stale API socket", "path", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("api socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("api socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil && runtime.GOOS != "windows" {
		ln.Close()
		return fmt.Errorf("api socket %s: %w", path, err)
	}
	s.serve(ln, s.handler(client{kind: clientSocket, id: clientSocket}))
	s.log.Info("local API on a Unix socket", "path", path)
	return nil
}

// ListenTCP serves the API on addr for a till on the shop's LAN. Every
// request must carry "Authorization: Bearer <token>" (compared in constant
// time); tlsConfig, when not nil, serves HTTPS. It returns the address it
// listens on.
func (s *Server) ListenTCP(addr, token string, tlsConfig *tls.Config) (net.Addr, error) {
	if len(token) < checkout.MinAPITokenLen {
		return nil, fmt.Errorf("api_listen %s: api_token must have at least %d characters (pos api-token prints one)", addr, checkout.MinAPITokenLen)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("api_listen: %w", err)
	}
	a := ln.Addr()
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	sum := sha256.Sum256([]byte(token))
	id := "token:" + hex.EncodeToString(sum[:4])
	s.serve(ln, s.authorize(sum, s.handler(client{kind: clientToken, id: id})))
	s.log.Info("local API on TCP", "addr", a.String(), "tls", tlsConfig != nil, "token_id", id)
	return a, nil
}

func (s *Server) serve(ln net.Listener, h http.Handler) {
	srv := checkout.ServeNotifications(ln, h, s.cfg.Limits)
	srv.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)
	s.mu.Lock()
	s.servers = append(s.servers, srv)
	s.mu.Unlock()
}

// Close stops serving: long-polls and event streams end at once, other
// requests get 2 s to finish. The Unix socket file is removed.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	s.mu.Lock()
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var first error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
			if first == nil && !errors.Is(err, context.DeadlineExceeded) {
				first = err
			}
		}
	}
	s.wg.Wait()
	s.endAsks()
	return first
}

// authorize lets through only requests with the bearer token whose
// SHA-256 is want. Hashing both sides first makes the comparison's time
// independent of the token's length too. The token is never logged.
func (s *Server) authorize(want [32]byte, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			s.log.Info("API request refused: no valid bearer token", "remote", r.RemoteAddr, "path", r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer realm="qrpos"`)
			writeError(w, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized,
				Message: "send the terminal's api_token as: Authorization: Bearer <api_token>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routes lists every route: its path, and its handler per method.
func (s *Server) routes() map[string]map[string]http.HandlerFunc {
	return map[string]map[string]http.HandlerFunc{
		"/v1/charges":             {http.MethodPost: s.createCharge},
		"/v1/charges/{id}":        {http.MethodGet: s.getCharge},
		"/v1/charges/{id}/cancel": {http.MethodPost: s.cancelCharge},
		"/v1/refunds":             {http.MethodPost: s.refund},
		"/v1/orders":              {http.MethodGet: s.orders},
		"/v1/report":              {http.MethodGet: s.report},
		"/v1/reconciliation":      {http.MethodGet: s.reconciliation},
		"/v1/status":              {http.MethodGet: s.status},
		"/v1/events":              {http.MethodGet: s.events},
		"/v1/openapi.json":        {http.MethodGet: s.openapi},
		"/v1/pin/unlock":          {http.MethodPost: s.unlockPIN},
	}
}

// handler serves the API to one kind of client: every answer is JSON,
// errors included (unknown paths, wrong methods).
func (s *Server) handler(c client) http.Handler {
	mux := http.NewServeMux()
	for path, methods := range s.routes() {
		var allow []string
		for m, h := range methods {
			mux.HandleFunc(m+" "+path, h)
			allow = append(allow, m)
		}
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed,
				Message: fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: fmt.Sprintf("no such endpoint %s (the API is described at /v1/openapi.json)", r.URL.Path)})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &httpx.StatusWriter{ResponseWriter: w}
		mux.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
		s.log.Debug("API request", "client", c.id, "method", r.Method, "path", r.URL.Path, "status", sw.Status,
			"ms", time.Since(start).Milliseconds())
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	writeJSON(w, e.Status, e)
}

func internalError(err error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: err.Error()}
}

// holdOpen lets a request that waits (long-poll, cancel, refund) outlive
// the listener's write timeout: its write deadline moves to d from now.
// (The read timeout does not matter once the request is read: net/http
// reads on with no deadline while the handler runs.)
func holdOpen(w http.ResponseWriter, d time.Duration) {
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

func (s *Server) engine() *checkout.Engine { return s.cfg.Engine() }

func (s *Server) journal() *storage.Journal { return s.engine().Journal() }

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(openAPI)
}
