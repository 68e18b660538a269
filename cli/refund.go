package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"qrpos/api"
	"qrpos/cli/command"
	"qrpos/payments"
	"qrpos/storage"
	"qrpos/terminal"
)

func init() {
	register(command.Command{Name: "refund", Summary: "refund a paid order, fully or in part", Run: runRefund})
}

// pinEnv names the environment variable pos refund reads the manager PIN
// from when --pin is not given (a flag shows in the process list).
const pinEnv = "QRPOS_MANAGER_PIN"

func runRefund(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("refund", stderr)
	config := command.ConfigFlag(fs)
	no := fs.String("order", "", "the sale's out_trade_no")
	amount := fs.String("amount", "", "amount to refund (default: all that is left)")
	pin := fs.String("pin", "", "the manager PIN, when a running terminal does the refund and its profile does not set api_refunds (default: $"+pinEnv+")")
	key := fs.String("key", "", "idempotency key: the same key again shows the refund it made and never refunds twice (default: a new one)")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	if *no == "" {
		return errors.New("--order is required")
	}
	if *pin == "" {
		*pin = os.Getenv(pinEnv)
	}
	s, err := openSession(ctx, *config, command.NewLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer s.Close()
	var r payments.Refund
	if s.remote != nil {
		k := *key
		if k == "" {
			k = newKey("refund")
		}
		ar, _, err := s.remote.RefundOnce(ctx, k, api.RefundRequest{OutTradeNo: *no, Amount: *amount, PIN: *pin})
		if err != nil {
			return err
		}
		if r, err = refundOfAPI(ar); err != nil {
			return err
		}
	} else if r, err = refundLocal(ctx, s.local, *no, *amount, *key); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "refund %s of %s for %s: %s %s\n", r.RefundNo, r.Amount, r.OutTradeNo, r.State, r.Reason)
	switch r.State {
	case payments.RefundDone:
	case payments.RefundFailed:
		return &exitError{code: 1, msg: fmt.Sprintf("refund %s failed: %s", r.RefundNo, r.Reason)}
	default:
		return &exitError{code: 1, msg: fmt.Sprintf("refund %s is not confirmed by the provider yet (%s): it will not be sent again, and no other refund of %s can be made until it is settled; `pos reconcile` or the terminal keeps checking it",
			r.RefundNo, r.State, r.OutTradeNo)}
	}
	return nil
}

// refundLocal refunds as the journal's owner. With a key it keeps the
// key in the journal the way the local API does (the same table and
// request hash), so that the key means the same refund to both.
func refundLocal(ctx context.Context, t *terminal.Terminal, no, amount, key string) (payments.Refund, error) {
	j := t.Journal()
	o, err := j.Order(ctx, no)
	if err != nil {
		return payments.Refund{}, err
	}
	money := o.Refundable()
	if amount != "" {
		if money, err = payments.ParseMoney(amount, o.Amount.Currency, payments.Range{Min: 1}); err != nil {
			return payments.Refund{}, err
		}
	}
	if key == "" {
		return t.Engine().Refund(ctx, no, money)
	}
	hash := api.RefundHash(api.RefundRequest{OutTradeNo: no, Amount: amount}, money)
	stored, err := j.IdempotentRefund(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if _, _, err := j.ReserveRefundKey(ctx, storage.APIRefund{Key: key, TokenID: "cli", RequestHash: hash, OutTradeNo: o.OutTradeNo, Amount: money}); err != nil {
			return payments.Refund{}, err
		}
	case err != nil:
		return payments.Refund{}, err
	case stored.RequestHash != hash:
		return payments.Refund{}, fmt.Errorf("--key %s was used for another refund (%s of %s): use a new key", key, nonEmpty(stored.RefundNo, "none made"), stored.OutTradeNo)
	default:
		if stored, err = j.RecoverRefundReservation(ctx, key, 10*time.Second); err != nil {
			return payments.Refund{}, err
		}
		if stored.Bound() {
			return j.Refund(ctx, stored.RefundNo)
		}
		money = stored.Amount
	}
	r, err := t.Engine().Refund(ctx, o.OutTradeNo, money)
	if r.RefundNo == "" {
		if rerr := j.ReleaseRefundKey(ctx, key); rerr != nil {
			return r, errors.Join(err, rerr)
		}
		return r, err
	}
	if berr := j.BindRefundKey(ctx, key, r.RefundNo); berr != nil {
		return r, errors.Join(err, berr)
	}
	return r, err
}

func nonEmpty(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// refundOfAPI reads the local API's refund back into the journal's words.
func refundOfAPI(a api.Refund) (payments.Refund, error) {
	m, err := payments.ParseMoney(a.Amount, payments.Currency(a.Currency), payments.Range{})
	if err != nil {
		return payments.Refund{}, fmt.Errorf("refund %s: %w", a.RefundNo, err)
	}
	return payments.Refund{RefundNo: a.RefundNo, OutTradeNo: a.OutTradeNo, Amount: m, State: payments.RefundState(a.State),
		ProviderRef: a.ProviderRef, Reason: a.Reason, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}, nil
}
