package checkout

import (
	"errors"
	"time"

	"qrpos/payments"
)

// outcome is what the engine makes of a gateway call's error.
type outcome int

const (
	answered   outcome = iota // no error: a verified answer
	unknownOut                // the provider may or may not have acted: query, never resend
	pendingOut                // the provider is still working on it: query
	notFound                  // a verified "no such order" (queries)
	duplicate                 // a verified "this number is already used" (someone else's)
	refused                   // a verified, final refusal
	localErr                  // nothing was sent (a local check failed)
)

// classify sorts a gateway error. The unknown outcome is decided first: an
// error that wraps payments.ErrOutcomeUnknown is unknown even when it also
// carries a provider's code (a busy or system code), and busy, system and
// rate-limit codes are unknown whatever the gateway wrapped them in.
func classify(err error) (outcome, *payments.ProviderError) {
	if err == nil {
		return answered, nil
	}
	var pe *payments.ProviderError
	isPE := errors.As(err, &pe)
	if errors.Is(err, payments.ErrOutcomeUnknown) {
		return unknownOut, pe
	}
	if !isPE {
		return localErr, nil
	}
	switch pe.Kind {
	case payments.KindBusy, payments.KindSystem, payments.KindRateLimited:
		return unknownOut, pe
	case payments.KindPending:
		return pendingOut, pe
	case payments.KindNotFound:
		return notFound, pe
	case payments.KindDuplicate:
		return duplicate, pe
	}
	return refused, pe
}

// permanentOnQuery reports whether a verified refusal of a query ends the
// order: the provider will never say more about this number (eftPay 02/04
// wallet or type mismatch: the number is another wallet's order). Refusals
// about our own set-up (signature, credentials, clock) say nothing about
// the order and leave it open.
func permanentOnQuery(pe *payments.ProviderError) bool {
	switch pe.Kind {
	case payments.KindBadRequest, payments.KindDeclined, payments.KindUnsupported:
		return true
	}
	return false
}

// NotFoundGiveUp is how long after a request whose outcome is unknown the
// provider must keep answering "no such order" before the engine concludes
// that the request never reached it (nothing charged, nothing refunded). A
// "not found" right after an unknown send proves nothing: the request may
// still be on its way or being processed.
var NotFoundGiveUp = 15 * time.Minute

// WatchMaxPause bounds the pause between two queries of an order or refund
// the engine follows in the background.
var WatchMaxPause = time.Minute

// backoff is the pause before the n-th background query: the poll schedule,
// then doubling up to WatchMaxPause.
func (e *Engine) backoff(n int) time.Duration {
	d := e.cfg.Poll.First
	for i := 0; i < n && d < WatchMaxPause; i++ {
		d *= 2
	}
	return min(max(d, e.cfg.Poll.First), WatchMaxPause)
}
