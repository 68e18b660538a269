package terminal

// The providers, as the core sees them: every registered provider
// (payments.Providers; payments/providers is the one registration line)
// and what it describes. Building the gateways of a profile, routing their
// notifications, "Test connection", the health probes' targets and the
// demo's sandbox credentials all loop over the registry: nothing here
// names a provider.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	_ "qrpos/payments/providers" // registers the terminal's providers
	"qrpos/payments/sandbox"
)

// gateways builds the gateway of every provider configured in p.
func gateways(p checkout.Profile, log *slog.Logger) ([]payments.Gateway, error) {
	var gws []payments.Gateway
	for _, info := range p.ConfiguredProviders() {
		g, err := newGateway(p, info.Name, 0, log)
		if err != nil {
			return nil, err
		}
		gws = append(gws, g)
	}
	if len(gws) == 0 {
		var tables []string
		for _, n := range payments.ProviderNames() {
			tables = append(tables, "["+string(n)+"]")
		}
		return nil, fmt.Errorf("no provider is configured: fill in %s in the config", strings.Join(tables, " or "))
	}
	return gws, nil
}

// newGateway builds prov's gateway from p (timeout 0: the gateway's own).
func newGateway(p checkout.Profile, prov payments.Provider, timeout time.Duration, log *slog.Logger) (payments.Gateway, error) {
	info, ok := payments.LookupProvider(prov)
	if !ok {
		return nil, fmt.Errorf("unknown provider %q", prov)
	}
	return info.NewGateway(p.Settings(prov), payments.GatewayEnv{TID: p.TID, Timeout: timeout, Logger: log})
}

// notificationMux routes each gateway's notifications under
// prefix + "/" + provider to deliver.
func notificationMux(prefix string, gws []payments.Gateway, deliver func(context.Context, payments.Notification) error) http.Handler {
	return checkout.NotificationRoutes(prefix, deliver, gws...)
}

// TestProvider checks one provider's connection and credentials in p by
// asking for an order that cannot exist: a verified "no such order" means
// the host answered and accepted the signature.
func TestProvider(ctx context.Context, p checkout.Profile, prov payments.Provider) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, ok := payments.LookupProvider(prov)
	if !ok {
		return fmt.Errorf("unknown provider %q", prov)
	}
	if !info.Configured(p.Settings(prov)) {
		return fmt.Errorf("%s: fill in %s", info.Title, strings.Join(info.Missing(p.Settings(prov)), ", "))
	}
	if len(info.Methods) == 0 {
		return fmt.Errorf("%s has no method to query", info.Title)
	}
	g, err := newGateway(p, prov, 10*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	no, err := payments.NewOrderNumber(p.TID, time.Now(), rand.Reader)
	if err != nil {
		return err
	}
	_, err = g.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: info.Methods[0],
		Amount: payments.Money{Minor: 100, Currency: payments.Currency(p.Currency)}})
	var pe *payments.ProviderError
	switch {
	case err == nil, payments.IsKind(err, payments.KindNotFound):
		return nil
	case errors.As(err, &pe) && (pe.Kind == payments.KindAuth || pe.Kind == payments.KindBadSignature):
		return fmt.Errorf("credentials refused: %s", pe.Message)
	case errors.Is(err, payments.ErrOutcomeUnknown):
		return fmt.Errorf("no answer: %w", err)
	case errors.As(err, &pe):
		return fmt.Errorf("%s: %s", pe.Code, pe.Message)
	}
	return err
}

// healthTarget is one provider the health probes check, and where.
type healthTarget struct {
	Provider payments.Provider
	BaseURL  string
}

// healthTargets lists the providers configured in p that name a host
// (ProviderInfo.HostKey), with their hosts.
func healthTargets(p checkout.Profile) []healthTarget {
	var out []healthTarget
	for _, info := range p.ConfiguredProviders() {
		if host := p.Setting(info.Name, info.HostKey); info.HostKey != "" && host != "" {
			out = append(out, healthTarget{Provider: info.Name, BaseURL: host})
		}
	}
	return out
}

// pointAtSandbox gives p every registered provider the in-process sandbox
// at sbURL serves, with the sandbox's demo credentials.
func pointAtSandbox(p *checkout.Profile, sbURL string) {
	for _, info := range payments.Providers() {
		s, ok := sandbox.DemoSettings(info.Name, sbURL)
		if !ok {
			continue
		}
		for k, v := range s {
			p.Set(info.Name, k, v)
		}
	}
}
