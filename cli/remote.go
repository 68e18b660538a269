package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"qrpos/api"
	"qrpos/storage"
	"qrpos/terminal"
)

// session is where a command's sales go: the terminal it opened itself as
// the journal's owner (local), or the running terminal that owns the
// journal, through its local API on the Unix socket beside the journal
// (remote). Exactly one of the two is set.
type session struct {
	local  *terminal.Terminal
	remote *api.Client
}

func (s *session) Close() {
	if s.local != nil {
		s.local.Close()
	}
	if s.remote != nil {
		s.remote.Close()
	}
}

// openSession opens the terminal of config. The journal's lock decides:
// free, the command owns it for its run; held by another program, the
// command talks to that program's local API. A holder that does not answer
// there (another command, or a terminal too old to serve the API) is the
// journal's *storage.LockedError, as before.
func openSession(ctx context.Context, config string, log *slog.Logger) (*session, error) {
	t, err := terminal.Open(ctx, terminal.Options{ConfigPath: config, Log: log})
	if err == nil {
		return &session{local: t}, nil
	}
	c, cerr := dialRunning(ctx, err)
	if cerr != nil {
		return nil, cerr
	}
	return &session{remote: c}, nil
}

// dialRunning connects to the local API of the terminal that holds the
// journal, when err says one does; otherwise it returns err.
func dialRunning(ctx context.Context, err error) (*api.Client, error) {
	var le *storage.LockedError
	if !errors.As(err, &le) {
		return nil, err
	}
	sock := api.SocketPath(le.Path)
	c := api.NewSocketClient(sock)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, serr := c.Status(ctx); serr != nil {
		c.Close()
		return nil, fmt.Errorf("%w (its local API on %s does not answer: %v)", err, sock, serr)
	}
	return c, nil
}

// newKey is a fresh Idempotency-Key for one command's request.
func newKey(kind string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return "cli-" + kind + "-" + hex.EncodeToString(b)
}
