package main

// Demo sales through the terminal's local API, as a shop's till rings them
// up: customer-code (CPM) charges that the sandbox pays at once.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qrpos/api"
)

// saleStats is how a run of sales went.
type saleStats struct {
	paid, other int
	busy        int // charges refused (409 sale_in_progress) and tried again
	took        time.Duration
}

// runSales rings up n sales, numbered from first (their amounts and customer
// codes), on the terminal whose API socket is at socket,
// one after another, each waited for until it is settled. every is called
// after each sale with the count so far.
func runSales(ctx context.Context, socket string, first, n int, every func(done int)) (saleStats, error) {
	c := api.NewSocketClient(socket)
	defer c.Close()
	var st saleStats
	began := time.Now()
	for i := range n {
		state, busy, err := oneSale(ctx, c, first+i)
		st.busy += busy
		if err != nil {
			return st, fmt.Errorf("sale %d: %w", i+1, err)
		}
		if state == "paid" {
			st.paid++
		} else {
			st.other++
		}
		if every != nil {
			every(i + 1)
		}
	}
	st.took = time.Since(began)
	return st, nil
}

// oneSale charges HK$1.00-99.99 with an Alipay-shaped customer code ending
// in 00 (paid at once by both providers' sandboxes) and waits until it is
// settled. A charge refused because the previous sale is still on its way
// out (409 sale_in_progress) is tried again.
func oneSale(ctx context.Context, c *api.Client, i int) (state string, busy int, err error) {
	req := api.ChargeRequest{
		Amount:    fmt.Sprintf("%d.%02d", 1+i%99, (i*37)%100),
		Currency:  "HKD",
		Method:    "any",
		Reference: fmt.Sprintf("measure-%d", i),
		AuthCode:  fmt.Sprintf("28%014d00", i),
	}
	key := fmt.Sprintf("measure-%d-%d", time.Now().UnixNano(), i)
	for {
		var ch api.Charge
		ch, _, err = c.CreateCharge(ctx, key, req)
		var e *api.Error
		if errors.As(err, &e) && e.Code == api.CodeSaleInProgress {
			busy++
			select {
			case <-time.After(20 * time.Millisecond):
				continue
			case <-ctx.Done():
				return "", busy, ctx.Err()
			}
		}
		if err != nil {
			return "", busy, err
		}
		for !ch.Settled {
			if ch, err = c.Charge(ctx, ch.ID, 30*time.Second); err != nil {
				return "", busy, err
			}
		}
		return ch.State, busy, nil
	}
}
