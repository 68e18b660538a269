package terminal

import (
	"context"

	"qrpos/storage"
)

// ReceiptStatus is where a sale's receipt is in the print queue.
type ReceiptStatus struct {
	Queued  bool   // the sale has a receipt
	Printed bool   // it came out of the printer
	Err     string // why it has not yet, after a try ("" otherwise)
}

// SaleReceipt tells where the receipt of sale no is (the sale's own, not
// copies or refunds).
func (t *Terminal) SaleReceipt(ctx context.Context, no string) (ReceiptStatus, error) {
	jobs, err := t.journal.PrintsOf(ctx, no)
	if err != nil {
		return ReceiptStatus{}, err
	}
	for _, j := range jobs {
		if j.Kind == storage.PrintSale {
			return ReceiptStatus{Queued: true, Printed: j.Printed, Err: j.LastError}, nil
		}
	}
	return ReceiptStatus{}, nil
}
