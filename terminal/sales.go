package terminal

import (
	"context"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// SaleView is one sale as a value: what a face shows of it at one moment.
type SaleView struct {
	Order   payments.Order // the latest the terminal knows (renumbered: the new number)
	Working string         // what the engine is doing about it, for people
	Receipt bool           // the sale's receipt is queued
	Ended   bool           // the sale is over: Order is final
	Err     string         // why it ended without the provider's final word
	// Origin and Reference are who rang it up ("" the counter, "till") and
	// their own reference.
	Origin, Reference string
}

// SaleWatch follows one sale: First is its snapshot when the watch began;
// Views brings every later snapshot, with no gap, and is closed after the
// one with Ended.
type SaleWatch struct {
	sale  *checkout.Sale
	first SaleView
	views chan SaleView
	quit  chan struct{}
}

// First is the sale as it stood when the watch began.
func (w *SaleWatch) First() SaleView { return w.first }

// Views brings the sale's later snapshots; closed once it ended.
func (w *SaleWatch) Views() <-chan SaleView { return w.views }

// Cancel asks the engine to end the sale (closed at the provider, then a
// final query: if it was paid meanwhile, it is paid).
func (w *SaleWatch) Cancel() { w.sale.Cancel() }

// Stop ends the watch (the sale goes on).
func (w *SaleWatch) Stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
}

// Charge starts a sale at the counter and watches it: the updates are
// followed from before the order exists, so none is missed.
func (t *Terminal) Charge(ctx context.Context, req checkout.ChargeRequest) (*SaleWatch, error) {
	eng := t.Engine()
	ch, unsub := eng.Subscribe(256)
	s, err := eng.Charge(ctx, req)
	if err != nil {
		unsub()
		return nil, err
	}
	return t.watch(ctx, s, ch, unsub), nil
}

// WatchSale watches a sale already running (one the till rang up).
func (t *Terminal) WatchSale(ctx context.Context, s *checkout.Sale) *SaleWatch {
	ch, unsub := t.Engine().Subscribe(256)
	return t.watch(ctx, s, ch, unsub)
}

// Sales lists the sales in progress, oldest first.
func (t *Terminal) Sales() []*checkout.Sale { return t.Engine().Sales() }

// Sale finds the sale in progress running under number no, or nil.
func (t *Terminal) Sale(no string) *checkout.Sale {
	for _, s := range t.Engine().Sales() {
		if s.Order.OutTradeNo == no || s.OutTradeNo() == no {
			return s
		}
	}
	return nil
}

func (t *Terminal) watch(ctx context.Context, s *checkout.Sale, ch <-chan checkout.Update, unsub func()) *SaleWatch {
	v := SaleView{Order: s.Order, Origin: s.Origin, Reference: s.Reference}
	// The journal's copy is at least as new as every update published
	// before the subscription; older updates are ignored by time below.
	if o, err := t.journal.Order(ctx, s.OutTradeNo()); err == nil {
		v.Order = o
	}
	w := &SaleWatch{sale: s, first: v, views: make(chan SaleView, 16), quit: make(chan struct{})}
	go w.run(ctx, v, ch, unsub)
	return w
}

// run turns the engine's updates about this sale into snapshots.
func (w *SaleWatch) run(ctx context.Context, v SaleView, ch <-chan checkout.Update, unsub func()) {
	defer close(w.views)
	defer unsub()
	for {
		select {
		case u, ok := <-ch:
			if !ok || !w.send(apply(&v, u)) {
				return
			}
		case <-w.sale.Done():
			for drained := false; !drained; {
				select {
				case u := <-ch:
					apply(&v, u)
				default:
					drained = true
				}
			}
			final, err := w.sale.Wait(ctx)
			if final.OutTradeNo != "" && !final.UpdatedAt.Before(v.Order.UpdatedAt) {
				v.Order = final
			}
			if err != nil {
				v.Err = err.Error()
			}
			v.Ended = true
			w.send(&v)
			return
		case <-w.quit:
			return
		case <-ctx.Done():
			return
		}
	}
}

// send hands a snapshot on (nil: nothing changed); false: the watch stopped.
func (w *SaleWatch) send(v *SaleView) bool {
	if v == nil {
		return true
	}
	select {
	case w.views <- *v:
		return true
	case <-w.quit:
		return false
	}
}

// apply folds update u into v when it is about v's sale; nil when not.
func apply(v *SaleView, u checkout.Update) *SaleView {
	switch {
	case u.Kind == checkout.UpdateRenumbered && u.Previous != "" && u.Previous == v.Order.OutTradeNo:
		v.Order, v.Working = u.Order, u.Message
		return v
	case u.Order.OutTradeNo == "" || u.Order.OutTradeNo != v.Order.OutTradeNo:
		return nil
	}
	if !u.Order.UpdatedAt.Before(v.Order.UpdatedAt) {
		v.Order = u.Order
	}
	switch u.Kind {
	case checkout.UpdateWorking:
		v.Working = u.Message
	case checkout.UpdateReceipt:
		if u.Refund != nil {
			return nil
		}
		v.Receipt = true
	}
	return v
}

// Subscribe follows every update of the engine in force (a sale, a refund,
// recovery); after Apply, subscribe again. A subscriber that does not keep
// up loses updates rather than stall sales.
func (t *Terminal) Subscribe(buffer int) (<-chan checkout.Update, func()) {
	return t.Engine().Subscribe(buffer)
}

// Recover finishes the orders and refunds a previous run (or a sale that
// ended without the provider's word) left open.
func (t *Terminal) Recover(ctx context.Context) ([]checkout.Recovered, error) {
	return t.Engine().Recover(ctx)
}
