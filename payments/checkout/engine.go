// Package checkout is the engine of the terminal: the order state machine
// driven by the providers' answers, write-ahead journalling, status by
// notification and by polling, cancel and expiry, crash recovery, refunds,
// receipts for the print queue and the end-of-day report. It publishes every
// change to subscribers (the UI, the command line).
//
// It is Fyne-free. It talks to providers only through payments.Gateway, keeps
// state only in the journal (storage), and hands receipts to the print queue
// as plain values. It never resends a payment whose outcome is unknown: it
// queries the same out_trade_no until the provider knows it.
package checkout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"qrpos/internal/killpoint"
	"qrpos/payments"
	"qrpos/storage"
)

// PollSchedule says when to query an order whose outcome is awaited: the
// first query after First, then every Fast until FastFor has passed since
// the order was sent, then every Slow.
type PollSchedule struct {
	First, Fast, FastFor, Slow time.Duration
}

// DefaultPoll is the schedule of the issue: about 2 s, then every 2 s for
// 30 s, then every 5 s.
var DefaultPoll = PollSchedule{First: 2 * time.Second, Fast: 2 * time.Second, FastFor: 30 * time.Second, Slow: 5 * time.Second}

// RelayedPoll is the schedule of a sale awaited while notifications are
// flowing (Engine.SetNotificationsFlowing: a healthy relay through head
// office): the notification settles the sale within milliseconds, and the
// queries are only the safety net: one after 3 s (a customer code's quick
// refusal, which QFPay does not notify), then one every 20 s. A pending
// sale makes at most 3 queries a minute, so 60 counters of one merchant,
// each with a sale pending, make about 180 of QFPay's 400 a minute
// (DefaultPoll: 21 in a sale's first minute, 12 a minute after it).
var RelayedPoll = PollSchedule{First: 3 * time.Second, Fast: 20 * time.Second, Slow: 20 * time.Second}

// Next is the pause before the next query, elapsed since the order was sent.
func (p PollSchedule) Next(elapsed time.Duration, first bool) time.Duration {
	if first {
		return p.First
	}
	if elapsed < p.FastFor {
		return p.Fast
	}
	return p.Slow
}

// Config sets up an engine for one terminal.
type Config struct {
	TID      string
	Currency payments.Currency
	// NotifyURL is the public base URL of the terminal's notification
	// server; providers get NotifyURL+"/eftpay" or NotifyURL+"/qfpay".
	// Notifications then end waits early; polling runs regardless.
	NotifyURL string
	// OrderTimeout: an unpaid MPM order is closed after it (default 120 s).
	OrderTimeout time.Duration
	// CPMTimeout: a pending CPM payment is queried this long, then reversed
	// (default 45 s).
	CPMTimeout time.Duration
	// UnknownTimeout: how long an MPM order whose creation is unknown is
	// queried before it is closed (its QR never reached the customer).
	UnknownTimeout time.Duration
	Poll           PollSchedule
	// RelayedPoll replaces Poll for awaited sales while notifications are
	// flowing (default RelayedPoll).
	RelayedPoll PollSchedule
	// NotFoundGiveUp: how long the provider must keep answering "no such
	// order" after a send whose outcome is unknown before the engine takes
	// it that the send never arrived (default NotFoundGiveUp, 15 min).
	NotFoundGiveUp time.Duration
	// PayableFor says how long an MPM order of a method stays payable at
	// the provider for a requested lifetime (default Method.PayableFor:
	// QFPay's 5 to 120 minutes). Tests replace it to keep QRs short.
	PayableFor func(payments.Method, time.Duration) time.Duration
	Subject    string // goods name sent to providers
	Logger     *slog.Logger
}

func (c *Config) defaults() {
	if c.Currency == "" {
		c.Currency = payments.DefaultCurrency
	}
	if c.OrderTimeout == 0 {
		c.OrderTimeout = 120 * time.Second
	}
	if c.CPMTimeout == 0 {
		c.CPMTimeout = 45 * time.Second
	}
	if c.UnknownTimeout == 0 {
		c.UnknownTimeout = 15 * time.Second
	}
	if c.PayableFor == nil {
		c.PayableFor = payments.Method.PayableFor
	}
	if c.NotFoundGiveUp == 0 {
		c.NotFoundGiveUp = killpoint.Duration("not_found_give_up", NotFoundGiveUp)
	}
	if c.Poll == (PollSchedule{}) {
		c.Poll = DefaultPoll
	}
	if c.RelayedPoll == (PollSchedule{}) {
		c.RelayedPoll = RelayedPoll
	}
	if c.Subject == "" {
		c.Subject = "POS sale"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// UpdateKind names what changed.
type UpdateKind string

// Update kinds.
const (
	UpdateCreated   UpdateKind = "created"   // the order is journalled
	UpdateQR        UpdateKind = "qr"        // the QR code to show (MPM)
	UpdateState     UpdateKind = "state"     // the order's state changed
	UpdateWorking   UpdateKind = "working"   // what the engine is doing about it
	UpdateRefund    UpdateKind = "refund"    // a refund moved
	UpdateRecovered UpdateKind = "recovered" // recovery finished an order
	UpdateReceipt   UpdateKind = "receipt"   // a receipt was queued
	// UpdateRenumbered: the provider refused the sale's number as already
	// used by another sale (nothing of ours was created there); the sale
	// goes on under a fresh number. Previous names the old one.
	UpdateRenumbered UpdateKind = "renumbered"
	// UpdateAttention: an order or refund has gone without the provider's
	// final word for too long; the engine keeps checking it.
	UpdateAttention UpdateKind = "attention"
)

// Update is one change the engine publishes.
type Update struct {
	Kind    UpdateKind
	Order   payments.Order
	Refund  *payments.Refund
	Message string // for people: what is happening, or why
	// Previous is the sale's former number (UpdateRenumbered).
	Previous string
	// Origin is who rang the sale up (UpdateCreated): "" the counter, or
	// the ChargeRequest's Origin ("till": the local API).
	Origin string
}

// Engine runs checkouts for one terminal.
type Engine struct {
	cfg      Config
	j        *storage.Journal
	gateways map[payments.Provider]payments.Gateway
	log      *slog.Logger
	receipts ReceiptSink

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	subs    map[int]chan Update
	nextSub int
	wake    map[string]chan struct{} // out_trade_no -> nudged by notifications
	seen    map[string]bool          // unknown provider statuses already logged
	// live holds the orders (by out_trade_no) and refunds (by refund_no)
	// that a sale, a refund or a watcher of this process is following:
	// recovery leaves them alone.
	live map[string]bool
	// sales are the sales in progress, by every number they ran under.
	sales map[string]*Sale
	// flowing: notifications reach this engine (SetNotificationsFlowing).
	flowing atomic.Bool
}

// ReceiptSink lays out the receipts of paid sales and done refunds as
// print jobs. The engine stores the job in the same journal transaction as
// the state change it belongs to, so a crash can never leave a paid sale
// without its receipt.
type ReceiptSink interface {
	SaleJob(o payments.Order) (storage.PrintJob, error)
	RefundJob(o payments.Order, r payments.Refund) (storage.PrintJob, error)
}

// New makes an engine. Close it to stop its background work.
func New(j *storage.Journal, cfg Config, gateways ...payments.Gateway) (*Engine, error) {
	cfg.defaults()
	if err := payments.ValidateTID(cfg.TID); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, j: j, gateways: map[payments.Provider]payments.Gateway{},
		log: cfg.Logger.With("tid", cfg.TID), subs: map[int]chan Update{}, wake: map[string]chan struct{}{}, seen: map[string]bool{},
		live: map[string]bool{}, sales: map[string]*Sale{}}
	for _, g := range gateways {
		e.gateways[g.Provider()] = g
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e, nil
}

// SetNotificationsFlowing says whether the providers' notifications reach
// this engine now (the terminal's relay through head office is up): while
// they do, awaited sales are queried on the slower RelayedPoll. When they
// stop, every awaited sale is queried at once and then on Poll again.
func (e *Engine) SetNotificationsFlowing(on bool) {
	if e.flowing.Swap(on) && !on {
		e.mu.Lock()
		for _, ch := range e.wake {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		e.mu.Unlock()
	}
}

// NotificationsFlowing reports what SetNotificationsFlowing last said.
func (e *Engine) NotificationsFlowing() bool { return e.flowing.Load() }

// pollSchedule is the schedule awaited sales follow now.
func (e *Engine) pollSchedule() PollSchedule {
	if e.flowing.Load() {
		return e.cfg.RelayedPoll
	}
	return e.cfg.Poll
}

// SetReceiptSink sets where receipts go (nil: none).
func (e *Engine) SetReceiptSink(s ReceiptSink) { e.receipts = s }

// Journal is the engine's journal (read-only uses: history, reports).
func (e *Engine) Journal() *storage.Journal { return e.j }

// Config is the engine's configuration, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Close stops every sale in progress (their orders stay open in the journal
// for recovery) and waits for them.
func (e *Engine) Close() {
	e.cancel()
	e.wg.Wait()
}

// Subscribe returns a channel of updates and a function to stop them. A
// subscriber that does not keep up loses updates rather than stall sales;
// the journal remains the truth.
func (e *Engine) Subscribe(buffer int) (<-chan Update, func()) {
	if buffer <= 0 {
		buffer = 64
	}
	ch := make(chan Update, buffer)
	e.mu.Lock()
	id := e.nextSub
	e.nextSub++
	e.subs[id] = ch
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		if _, ok := e.subs[id]; ok {
			delete(e.subs, id)
			close(ch)
		}
		e.mu.Unlock()
	}
}

func (e *Engine) publish(u Update) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ch := range e.subs {
		select {
		case ch <- u:
		default:
			e.log.Warn("subscriber too slow; update dropped", "kind", u.Kind, "order", u.Order.OutTradeNo)
		}
	}
}

func (e *Engine) gateway(p payments.Provider) (payments.Gateway, error) {
	g, ok := e.gateways[p]
	if !ok {
		return nil, fmt.Errorf("provider %s is not configured on this terminal", p)
	}
	return g, nil
}

// waker returns the channel notifications nudge for an order.
func (e *Engine) waker(no string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch, ok := e.wake[no]
	if !ok {
		ch = make(chan struct{}, 1)
		e.wake[no] = ch
	}
	return ch
}

func (e *Engine) nudge(no string) {
	e.mu.Lock()
	ch, ok := e.wake[no]
	e.mu.Unlock()
	if ok {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (e *Engine) forget(no string) {
	e.mu.Lock()
	delete(e.wake, no)
	e.mu.Unlock()
}

// moveTo changes an order's state when the change is legal. An order
// already in state to is left alone; an illegal change (a late "pending"
// after "paid") is journalled as a note and ignored. A sale that becomes
// paid gets its receipt job in the same transaction. It returns the order
// as it now stands.
func (e *Engine) moveTo(ctx context.Context, no string, to payments.State, ch storage.Change) (payments.Order, error) {
	cur, err := e.j.Order(ctx, no)
	if err != nil {
		return cur, err
	}
	if cur.State == to && to != payments.PartlyRefunded {
		if ch.ProviderRef != "" && cur.ProviderRef == "" || ch.QRCode != "" && cur.QRCode == "" || ch.CashAmount.Minor != 0 && cur.CashAmount.Minor == 0 {
			return e.j.Update(ctx, no, storage.Change{ProviderRef: ch.ProviderRef, QRCode: ch.QRCode, Kind: storage.EventNote, Detail: ch.Detail,
				CashAmount: ch.CashAmount, ExchangeRate: ch.ExchangeRate})
		}
		return cur, nil
	}
	if !payments.CanTransition(cur.State, to) {
		e.j.Append(ctx, no, storage.Event{Kind: storage.EventNote,
			Detail: fmt.Sprintf("ignored %s -> %s (%s)", cur.State, to, ch.Detail)})
		return cur, nil
	}
	late := to == payments.Paid && (cur.State == payments.Failed || cur.State == payments.Closed || cur.State == payments.Expired)
	if late {
		ch.Reason = fmt.Sprintf("paid after the terminal had ended it as %s: the provider says the money moved", cur.State)
		e.log.Warn("late payment: the provider says paid", "order", no, "was", cur.State)
	}
	if to == payments.Paid && e.receipts != nil {
		ch.Receipt = e.receipts.SaleJob
	}
	o, err := e.j.Transition(ctx, no, to, ch)
	var te *payments.TransitionError
	if errors.As(err, &te) {
		// Another path (a notification) moved it meanwhile: re-read.
		return e.j.Order(ctx, no)
	}
	if err != nil {
		return o, err
	}
	e.publish(Update{Kind: UpdateState, Order: o, Message: o.Reason})
	if o.State == payments.Paid && e.receipts != nil {
		e.publish(Update{Kind: UpdateReceipt, Order: o})
	}
	if late {
		e.publish(Update{Kind: UpdateAttention, Order: o, Message: o.Reason})
	}
	return o, nil
}

// collision records that a provider's record is not about the journalled
// order it was asked about: logged loudly, journalled, never money.
func (e *Engine) collision(ctx context.Context, o payments.Order, how string, err error) {
	e.log.Error("ORDER NUMBER COLLISION: the provider's record is another sale; not taken as ours",
		"order", o.OutTradeNo, "via", how, "err", err)
	e.j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventNote, Detail: "collision (" + how + "): " + err.Error()})
}

// own marks an order or refund number as followed by this process (a sale,
// a refund or a watcher); recovery leaves it alone. It reports false when
// someone in this process already follows it.
func (e *Engine) own(no string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live[no] {
		return false
	}
	e.live[no] = true
	return true
}

func (e *Engine) release(no string) {
	e.mu.Lock()
	delete(e.live, no)
	e.mu.Unlock()
}

// Live reports whether this process is following the order or refund.
func (e *Engine) Live(no string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.live[no]
}

// logStatusOnce logs an unrecognised provider status the first time it is seen.
func (e *Engine) logStatusOnce(p payments.Provider, code string) {
	key := string(p) + ":" + code
	e.mu.Lock()
	first := !e.seen[key]
	e.seen[key] = true
	e.mu.Unlock()
	if first {
		e.log.Warn("provider status not final; still querying", "provider", p, "code", code)
	}
}
