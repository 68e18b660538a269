package terminal

import (
	"qrpos/api"
)

// ServeAPI serves the local API for a till while the terminal runs: on the
// Unix socket beside the journal and, when the profile sets api_listen, on
// TCP with api_token. Close stops it (before the engine).
func (t *Terminal) ServeAPI(version string) error {
	srv, err := api.New(api.Config{Engine: t.Engine, Profile: t.Profile, Version: version, Logger: t.log, Counter: t.asks,
		Reconcile: t.apiReconcile})
	if err != nil {
		return err
	}
	if err := srv.ListenUnix(api.SocketPath(t.journal.Path())); err != nil {
		srv.Close()
		return err
	}
	if p := t.Profile(); p.APIListen != "" {
		if err := p.CheckAPIToken(); err != nil {
			srv.Close()
			return err
		}
		if _, err := srv.ListenTCP(p.APIListen, p.APIToken, nil); err != nil {
			srv.Close()
			return err
		}
	}
	t.mu.Lock()
	t.srv = srv
	t.mu.Unlock()
	t.api = func() { srv.Close() }
	return nil
}

// APISocket is the local API's Unix socket path.
func (t *Terminal) APISocket() string { return api.SocketPath(t.journal.Path()) }
