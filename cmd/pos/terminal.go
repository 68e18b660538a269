package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/storage"
)

// terminal is everything a command needs, wired from the profile: the
// journal, the gateways, the engine and, when notify_listen is set, the
// notification server.
type terminal struct {
	profile  checkout.Profile
	journal  *storage.Journal
	engine   *checkout.Engine
	receipts *checkout.Receipts
	eftpay   *eftpay.Gateway
	qfpay    *qfpay.Gateway
	notify   *http.Server
	log      *slog.Logger
}

// defaultConfigPath is terminal.toml in the user's config directory.
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "terminal.toml"
	}
	return filepath.Join(dir, "qrpos", "terminal.toml")
}

// newLogger logs to w at level (warn for the command line by default).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// openTerminal loads the profile from configPath, opens the journal it
// names (relative paths are relative to the config file), brings the
// journal's copy of the profile up to date and wires the engine.
func openTerminal(ctx context.Context, configPath string, log *slog.Logger) (*terminal, error) {
	j, p, err := openJournalOnly(ctx, configPath)
	if err != nil {
		return nil, err
	}
	t, err := wireTerminal(ctx, j, p, log)
	if err != nil {
		j.Close()
		return nil, err
	}
	return t, nil
}

// journalPath is the profile's journal file; a relative path is relative
// to the config file's directory.
func journalPath(configPath string, p checkout.Profile) string {
	path := p.Journal
	if path == "" {
		path = "pos.db"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(configPath), path)
	}
	return path
}

// wireTerminal builds gateways and the engine for profile p over journal j.
func wireTerminal(ctx context.Context, j *storage.Journal, p checkout.Profile, log *slog.Logger) (*terminal, error) {
	t := &terminal{profile: p, journal: j, log: log}
	var gws []payments.Gateway
	if p.EftpayConfigured() {
		g, err := eftpay.NewGateway(eftpay.Config{BaseURL: p.Eftpay.BaseURL, UserConfirmKey: p.Eftpay.UserConfirmKey,
			Secret: p.Eftpay.Secret, TID: p.TID, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("eftpay: %w", err)
		}
		t.eftpay = g
		gws = append(gws, g)
	}
	if p.QFPayConfigured() {
		st, err := qfpay.ParseSignType(p.QFPay.SignType)
		if err != nil {
			return nil, fmt.Errorf("qfpay: %w", err)
		}
		g, err := qfpay.New(qfpay.Config{BaseURL: p.QFPay.BaseURL, AppCode: p.QFPay.AppCode, ClientKey: p.QFPay.ClientKey,
			MchID: p.QFPay.MchID, SignType: st, TID: p.TID, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("qfpay: %w", err)
		}
		t.qfpay = g
		gws = append(gws, g)
	}
	if len(gws) == 0 {
		return nil, errors.New("no provider is configured: fill in [eftpay] or [qfpay] in the config")
	}
	cfg := p.EngineConfig()
	cfg.Logger = log
	e, err := checkout.New(j, cfg, gws...)
	if err != nil {
		return nil, err
	}
	t.engine = e
	t.receipts = &checkout.Receipts{J: j, Profile: func() checkout.Profile { return t.profile }}
	e.SetReceiptSink(t.receipts)
	if p.NotifyListen != "" {
		if err := t.serveNotifications(ctx); err != nil {
			e.Close()
			return nil, err
		}
	}
	return t, nil
}

// serveNotifications listens on notify_listen for both providers'
// notifications, under notify_url's path + "/eftpay" and "/qfpay".
func (t *terminal) serveNotifications(ctx context.Context) error {
	prefix := "/notify"
	if t.profile.NotifyURL != "" {
		u, err := url.Parse(t.profile.NotifyURL)
		if err != nil {
			return fmt.Errorf("notify_url: %w", err)
		}
		prefix = strings.TrimSuffix(u.Path, "/")
	}
	mux := http.NewServeMux()
	deliver := t.engine.HandleNotification
	if t.eftpay != nil {
		mux.Handle(prefix+"/eftpay", t.eftpay.NotificationHandler(deliver))
	}
	if t.qfpay != nil {
		mux.Handle(prefix+"/qfpay", t.qfpay.NotificationHandler(deliver))
	}
	ln, err := net.Listen("tcp", t.profile.NotifyListen)
	if err != nil {
		return fmt.Errorf("notify_listen: %w", err)
	}
	t.notify = checkout.ServeNotifications(ln, mux, checkout.DefaultNotifyLimits())
	t.log.Info("serving notifications", "addr", ln.Addr().String(), "path", prefix)
	return nil
}

// Close stops the engine and the notification server and closes the journal.
func (t *terminal) Close() {
	if t.notify != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.notify.Shutdown(ctx)
		cancel()
	}
	t.engine.Close()
	t.journal.Close()
}

// configFlag adds the --config flag every engine command takes.
func configFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("config", defaultConfigPath(), "terminal profile (TOML, mode 0600)")
}
