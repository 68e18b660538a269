package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"qrpos/hq/merchants"
	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments"
)

// received is a notification's request as it came: what is kept and
// relayed once the provider's handler has verified it.
type received struct {
	body   []byte
	header map[string]string
}

type receivedKey struct{}

// serveNotify hands a provider's notification for a merchant to that
// merchant's provider handler, which verifies it, answers the provider
// and, when it verifies, delivers it (deliverFor).
func (r *Relay) serveNotify(w http.ResponseWriter, req *http.Request) {
	m, ok := r.merchants[route{req.PathValue("merchant"), req.PathValue("provider")}]
	if !ok {
		http.NotFound(w, req)
		return
	}
	if m.handler == nil {
		http.Error(w, "this merchant's notifications cannot be verified", http.StatusServiceUnavailable)
		return
	}
	// The handler reads the body again and refuses one too long (413).
	body, err := io.ReadAll(io.LimitReader(req.Body, wire.MaxRelayedBody+1))
	if err != nil {
		r.log.Warn("notification not received whole", "merchant", m.Name, "remote", req.RemoteAddr, "err", err)
		http.Error(w, "body not received", http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := &received{body: body, header: relayedHeader(req.Header)}
	m.handler.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), receivedKey{}, rec)))
}

// relayedHeader is what is kept of a notification's headers
// (wire.RelayedHeader), bounded.
func relayedHeader(h http.Header) map[string]string {
	out := map[string]string{}
	for name, values := range h {
		if len(out) == wire.MaxRelayedHeaders {
			break
		}
		if !wire.RelayedHeader(name) || len(values) == 0 || len(values[0]) > wire.MaxRelayedHeaderValue {
			continue
		}
		out[http.CanonicalHeaderKey(name)] = values[0]
	}
	return out
}

// deliverFor is what merchant m's provider handler calls with each
// verified notification: keep it, routed by its number, and wake the
// stream of the terminal it is for. An error makes the handler answer so
// that the provider sends it again.
func (r *Relay) deliverFor(m merchants.Merchant) func(context.Context, payments.Notification) error {
	return func(ctx context.Context, n payments.Notification) error {
		rec, ok := ctx.Value(receivedKey{}).(*received)
		if !ok {
			return errors.New("relay: the notification's bytes are missing")
		}
		no := n.OutTradeNo
		if n.Refund && n.RefundNo != "" {
			no = n.RefundNo
		}
		in := store.Notification{Merchant: m.Name, Provider: string(m.Provider), Body: rec.body, Header: rec.header,
			ReceivedAt: r.cfg.Now(), OrderNo: no}
		if tid, ok := TIDOf(no); ok {
			in.TID = tid
		} else {
			in.Flag = store.FlagUnroutable
		}
		r.prune(ctx)
		kept, fresh, err := r.cfg.DB.StoreNotification(ctx, in)
		if err != nil {
			r.log.Error("notification not kept: the provider will send it again", "merchant", m.Name, "order", no, "err", err)
			return err
		}
		log := r.log.With("merchant", m.Name, "provider", m.Provider, "order", no, "id", kept.ID)
		switch {
		case !fresh:
			log.Info("notification already kept")
		case kept.TID == "":
			log.Warn("notification kept, not relayed", "flag", kept.Flag)
		default:
			log.Info("notification kept for relay", "tid", kept.TID, "event", kept.EventID)
			r.hub.wake(kept.TID)
		}
		return nil
	}
}

// prune deletes, at most once an hour, the notifications older than Keep.
func (r *Relay) prune(ctx context.Context) {
	now := r.cfg.Now()
	r.pruneMu.Lock()
	due := now.Sub(r.lastPrune) >= pruneEvery
	if due {
		r.lastPrune = now
	}
	r.pruneMu.Unlock()
	if !due {
		return
	}
	n, err := r.cfg.DB.PruneNotifications(ctx, now.Add(-r.cfg.Keep))
	switch {
	case err != nil:
		r.log.Error("pruning old notifications", "err", err)
	case n > 0:
		r.log.Info("pruned old notifications", "count", n)
	}
}

const pruneEvery = time.Hour
