package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

func init() {
	register(command{name: "charge", summary: "take one payment from the command line (exit 0 only when paid)", run: runCharge})
}

// exitError carries a process exit code with no further message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

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
	fs := newFlags("charge", stderr)
	config := configFlag(fs)
	provider := fs.String("provider", "", "eftpay or qfpay")
	method := fs.String("method", "", "the provider's method code: eftPay payment_type (ALIPAYHK) or QFPay pay_type (800101)")
	amount := fs.String("amount", "", "amount, e.g. 12.34")
	authCode := fs.String("auth-code", "", "CPM: the customer's wallet code")
	asJSON := fs.Bool("json", false, "one JSON line per event on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := payments.ParseProvider(*provider)
	if err != nil {
		return err
	}
	if *method == "" {
		return errors.New("--method is required")
	}
	t, err := openTerminal(ctx, *config, newLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer t.Close()
	r := payments.QFPayRange
	if p == payments.Eftpay {
		r = payments.EftpayRange
	}
	money, err := payments.ParseMoney(*amount, payments.Currency(t.profile.Currency), r)
	if err != nil {
		return err
	}
	out := newEventWriter(stdout, *asJSON)
	// Recovery first: every interrupted order is finished before a new sale.
	if err := recoverAndReport(context.WithoutCancel(ctx), t.engine, out); err != nil {
		return err
	}
	updates, stop := t.engine.Subscribe(64)
	defer stop()
	sale, err := t.engine.Charge(ctx, checkout.ChargeRequest{Provider: p, MethodCode: *method, Amount: money, AuthCode: strings.TrimSpace(*authCode)})
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
			out.event(orderEvent(finalEvent(o.State), o))
			if o.State != payments.Paid {
				return &exitError{code: 1, msg: fmt.Sprintf("order %s %s: %s", o.OutTradeNo, o.State, o.Reason)}
			}
			return nil
		}
	}
}

// finalEvent names a settled state for `pos charge --json`.
func finalEvent(s payments.State) string {
	switch s {
	case payments.Paid, payments.Failed, payments.Closed, payments.Expired:
		return string(s)
	}
	return "unknown"
}

// eventWriter prints events as JSON lines or as text for people.
type eventWriter struct {
	w    io.Writer
	json bool
}

func newEventWriter(w io.Writer, asJSON bool) *eventWriter { return &eventWriter{w: w, json: asJSON} }

func (e *eventWriter) event(ev eventLine) {
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
