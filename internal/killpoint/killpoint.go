// Package killpoint names the places where the crash tests kill the
// terminal on purpose: after the order is journalled and before the
// request, after the provider answered and before the answer is journalled,
// and so on. In the shipped binary At does nothing and compiles away; a
// binary built with the build tag "killpoints" (tests and `make soak`
// only) kills itself with SIGKILL at the point named by $POS_KILLPOINT, and
// Duration lets such a binary shorten the engine's long waits.
//
// It imports nothing of the project.
package killpoint

// The points the engine passes. Keep the names stable: the crash tests and
// the soak use them.
const (
	OrderJournalled  = "order-journalled"  // order and its request event durable; request not sent
	PayAnswered      = "pay-answered"      // the provider answered the payment; nothing journalled yet
	AnswerJournalled = "answer-journalled" // the answer (and QR) is journalled; the QR not yet shown
	QueryAnswered    = "query-answered"    // a query answer came back; not journalled yet
	CloseAnswered    = "close-answered"    // a close or reversal answered; not journalled yet
	RefundJournalled = "refund-journalled" // the refund is journalled as being sent; request not sent
	RefundAnswered   = "refund-answered"   // the provider answered the refund; nothing journalled yet
)
