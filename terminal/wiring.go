package terminal

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// wiring is what one profile wires: the gateways, the engine over them and,
// when notify_listen is set, the notification server. Apply replaces it.
type wiring struct {
	profile  checkout.Profile
	engine   *checkout.Engine
	gateways []payments.Gateway
	notify   *http.Server
	log      *slog.Logger
}

// wire builds the gateways and the engine for profile p over journal j and
// serves notifications.
func wire(ctx context.Context, j *storage.Journal, p checkout.Profile, log *slog.Logger, sink checkout.ReceiptSink, tune func(*checkout.Config)) (*wiring, error) {
	gws, err := gateways(p, log)
	if err != nil {
		return nil, err
	}
	cfg := p.EngineConfig()
	cfg.Logger = log
	if tune != nil {
		tune(&cfg)
	}
	e, err := checkout.New(j, cfg, gws...)
	if err != nil {
		return nil, err
	}
	e.SetReceiptSink(sink)
	w := &wiring{profile: p, engine: e, gateways: gws, log: log}
	if err := w.serve(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return w, nil
}

// serve listens on notify_listen for the providers' notifications, under
// notify_url's path (default /notify) + "/" + provider.
func (w *wiring) serve(ctx context.Context) error {
	if w.profile.NotifyListen == "" {
		return nil
	}
	prefix := "/notify"
	if w.profile.NotifyURL != "" {
		u, err := url.Parse(w.profile.NotifyURL)
		if err != nil {
			return fmt.Errorf("notify_url: %w", err)
		}
		prefix = strings.TrimSuffix(u.Path, "/")
	}
	mux := notificationMux(prefix, w.gateways, w.engine.HandleNotification)
	ln, err := net.Listen("tcp", w.profile.NotifyListen)
	if err != nil {
		return fmt.Errorf("notify_listen: %w", err)
	}
	w.notify = checkout.ServeNotifications(ln, mux, checkout.DefaultNotifyLimits())
	w.log.Info("serving notifications", "addr", ln.Addr().String(), "path", prefix)
	return nil
}

// stopServing stops the notification server (its port is reused).
func (w *wiring) stopServing() {
	if w.notify == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	w.notify.Shutdown(ctx)
	cancel()
	w.notify = nil
}

// close stops the notification server and the engine.
func (w *wiring) close() {
	w.stopServing()
	w.engine.Close()
}
