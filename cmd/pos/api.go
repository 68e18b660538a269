package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"

	"qrpos/api"
	"qrpos/payments/checkout"
)

func init() {
	register(command{name: "api-token", summary: "print a fresh random token for the profile's api_token", run: runAPIToken})
}

// runAPIToken prints 32 random bytes, base64url, for IT to paste into the
// profile as api_token.
func runAPIToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("api-token", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	fmt.Fprintln(stdout, base64.RawURLEncoding.EncodeToString(b))
	return nil
}

// engine is the engine in force (apply replaces it).
func (r *runner) engine() *checkout.Engine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur.engine
}

// startAPI serves the local API for a till while pos run runs: on the Unix
// socket beside the journal and, when the profile sets api_listen, on TCP
// with api_token. The returned function stops it (before the engine).
func startAPI(r *runner) (stop func(), err error) {
	srv, err := api.New(api.Config{Engine: r.engine, Profile: r.profile, Version: version, Logger: r.log})
	if err != nil {
		return nil, err
	}
	if err := srv.ListenUnix(api.SocketPath(r.journal.Path())); err != nil {
		return nil, err
	}
	if p := r.profile(); p.APIListen != "" {
		if err := p.CheckAPIToken(); err != nil {
			srv.Close()
			return nil, err
		}
		if _, err := srv.ListenTCP(p.APIListen, p.APIToken, nil); err != nil {
			srv.Close()
			return nil, err
		}
	}
	return func() { srv.Close() }, nil
}
