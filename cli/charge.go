package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/skip2/go-qrcode"

	"qrpos/cli/command"
	"qrpos/payments"
	"qrpos/payments/checkout"
)

func init() {
	register(command.Command{Name: "charge", Summary: "take one payment from the command line (exit 0 only when paid)", Run: runCharge})
}

// eventLine is one JSON line of `pos charge --json`.
type eventLine struct {
	Event       string `json:"event"`
	OutTradeNo  string `json:"out_trade_no,omitempty"`
	Provider    string `json:"provider,omitempty"`
	Method      string `json:"method,omitempty"`
	Amount      string `json:"amount,omitempty"`
	Currency    string `json:"currency,omitempty"`
	QRCode      string `json:"qr_code,omitempty"`
	ProviderRef string `json:"provider_ref,omitempty"`
	Reason      string `json:"reason,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
}

func orderEvent(event string, o payments.Order) eventLine {
	return eventLine{Event: event, OutTradeNo: o.OutTradeNo, Provider: string(o.Provider), Method: o.MethodCode,
		Amount: o.Amount.Decimal(), Currency: string(o.Amount.Currency), ProviderRef: o.ProviderRef, Reason: o.Reason}
}

func runCharge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("charge", stderr)
	config := command.ConfigFlag(fs)
	provider := fs.String("provider", "", "eftpay or qfpay")
	method := fs.String("method", "", "the provider's method code: eftPay payment_type (ALIPAYHK) or QFPay pay_type (800101)")
	amount := fs.String("amount", "", "amount, e.g. 12.34")
	authCode := fs.String("auth-code", "", "CPM: the customer's wallet code")
	asJSON := fs.Bool("json", false, "one JSON line per event on stdout")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	p, err := payments.ParseProvider(*provider)
	if err != nil {
		return err
	}
	if *method == "" {
		return errors.New("--method is required")
	}
	s, err := openSession(ctx, *config, command.NewLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer s.Close()
	out := newEventWriter(stdout, *asJSON)
	req := checkout.ChargeRequest{Provider: p, MethodCode: *method, AuthCode: strings.TrimSpace(*authCode)}
	if s.remote != nil {
		return chargeRemote(ctx, s.remote, req, *amount, out)
	}
	t := s.local
	money, err := payments.ParseMoney(*amount, payments.Currency(t.Profile().Currency), payments.RangeOf(p))
	if err != nil {
		return err
	}
	req.Amount = money
	e := t.Engine()
	// Recovery first: every interrupted order is finished before a new sale.
	if err := recoverAndReport(context.WithoutCancel(ctx), e, out); err != nil {
		return err
	}
	updates, stop := e.Subscribe(64)
	defer stop()
	sale, err := e.Charge(ctx, req)
	if err != nil {
		return err
	}
	no := sale.Order.OutTradeNo
	for {
		select {
		case u := <-updates:
			if u.Order.OutTradeNo != no {
				continue
			}
			switch u.Kind {
			case checkout.UpdateCreated:
				out.event(orderEvent("created", u.Order))
			case checkout.UpdateQR:
				ev := orderEvent("qr", u.Order)
				ev.QRCode = u.Order.QRCode
				out.event(ev)
				out.qr(u.Order.QRCode)
			case checkout.UpdateWorking:
				out.note(u.Message)
			}
		case <-ctx.Done():
			// Interrupted: cancel at the provider, then report how it ended.
			sale.Cancel()
			ctx = context.Background()
		case <-sale.Done():
			o, err := sale.Wait(context.Background())
			if err != nil {
				return err
			}
			return settled(o.State, orderEvent(finalEvent(o.State), o), out)
		}
	}
}

// settled prints a sale's last event; anything but paid is exit code 1.
func settled(s payments.State, ev eventLine, out *eventWriter) error {
	out.event(ev)
	if s != payments.Paid {
		return &exitError{code: 1, msg: fmt.Sprintf("order %s %s: %s", ev.OutTradeNo, s, ev.Reason)}
	}
	return nil
}

// finalEvent names a settled state for `pos charge --json`.
func finalEvent(s payments.State) string {
	switch s {
	case payments.Paid, payments.Failed, payments.Closed, payments.Expired:
		return string(s)
	}
	return "unknown"
}

// eventWriter prints events as JSON lines or as text for people. Through
// a running terminal, notes come from its event stream meanwhile: mu keeps
// lines whole.
type eventWriter struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
}

func newEventWriter(w io.Writer, asJSON bool) *eventWriter { return &eventWriter{w: w, json: asJSON} }

func (e *eventWriter) event(ev eventLine) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.json {
		b, _ := json.Marshal(ev)
		fmt.Fprintln(e.w, string(b))
		return
	}
	line := fmt.Sprintf("%-9s %s", ev.Event, ev.OutTradeNo)
	if ev.Amount != "" {
		line += fmt.Sprintf(" %s %s %s:%s", ev.Currency, ev.Amount, ev.Provider, ev.Method)
	}
	if ev.From != "" {
		line += fmt.Sprintf(" %s -> %s", ev.From, ev.To)
	}
	if ev.ProviderRef != "" && ev.Event != "created" {
		line += " ref " + ev.ProviderRef
	}
	if ev.Reason != "" {
		line += " (" + ev.Reason + ")"
	}
	fmt.Fprintln(e.w, line)
}

// qr draws the QR code in the terminal for a person to scan.
func (e *eventWriter) qr(code string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.json || code == "" {
		return
	}
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return
	}
	fmt.Fprint(e.w, q.ToSmallString(false))
	fmt.Fprintln(e.w, code)
}

func (e *eventWriter) note(msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.json && msg != "" {
		fmt.Fprintln(e.w, "...", msg)
	}
}

// recoverAndReport runs recovery and prints what it finished.
func recoverAndReport(ctx context.Context, e *checkout.Engine, out *eventWriter) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	recs, err := e.Recover(ctx)
	for _, r := range recs {
		ev := eventLine{Event: "recovered", OutTradeNo: r.OutTradeNo, From: r.From, To: r.To, Reason: r.Note}
		if r.RefundNo != "" {
			ev.Event = "recovered_refund"
			ev.ProviderRef = r.RefundNo
		}
		out.event(ev)
	}
	return err
}
