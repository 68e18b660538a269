package ui

// What the sale screen says when something goes wrong, in the shop's
// words: what happened and what to do next. The provider's own words are
// kept for a failed payment only, after ours ("Wallet said: ..."); the
// journal and the order's detail keep them all.

import (
	"errors"
	"strings"

	"qrpos/payments"
)

// amountWords says what is wrong with an amount and how to type it.
func (t *Terminal) amountWords(err error) string {
	var ae *payments.AmountError
	if !errors.As(err, &ae) {
		return t.tr.T("cashier.not_started", "Error", err.Error())
	}
	switch ae.Kind {
	case payments.AmountEmpty:
		return t.tr.T("amount.empty")
	case payments.AmountDecimals:
		return t.tr.T("amount.decimals")
	case payments.AmountTooLarge:
		return t.tr.T("amount.too_large")
	case payments.AmountBelowMin:
		return t.tr.T("amount.below_min", "Limit", ae.Limit.String())
	case payments.AmountAboveMax:
		return t.tr.T("amount.above_max", "Limit", ae.Limit.String())
	}
	return t.tr.T("amount.not_a_number", "Input", ae.Input)
}

// typingWords is what the amount field says while the cashier types: a
// mistake already made, never an amount still being typed ("12.").
func (t *Terminal) typingWords() string {
	if t.amount == "" || strings.HasSuffix(t.amount, ".") && strings.Count(t.amount, ".") == 1 {
		return ""
	}
	_, err := payments.ParseMoney(t.amount, t.currency(), payments.WidestRange())
	if err == nil {
		return ""
	}
	return t.amountWords(err)
}

// resultWords explains how a sale ended: what happened to the customer's
// money and what to do next.
func (t *Terminal) resultWords(o payments.Order) []string {
	switch {
	case o.State == payments.Failed:
		out := []string{t.tr.T("result.failed_help")}
		if r := strings.TrimSpace(o.Reason); r != "" {
			out = append(out, t.tr.T("result.provider_said", "Provider", providerName(o.Provider), "Reason", r))
		}
		return out
	case o.State == payments.Expired:
		return []string{t.tr.T("result.expired_help")}
	case o.State == payments.Closed:
		return []string{t.tr.T("result.closed_help")}
	}
	return nil
}
