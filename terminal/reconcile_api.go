package terminal

import (
	"context"
	"time"

	"qrpos/api"
)

// APIReconciliation renders r as the local API answers it (and `pos
// reconcile --day` prints it, through the API or not).
func APIReconciliation(r Reconciliation) api.Reconciliation {
	out := api.Reconciliation{TID: r.TID, Date: r.Day, Sales: r.Sales, Refunds: r.Refunds, Clean: r.Clean(), GeneratedAt: r.At,
		Providers: []api.ProviderCheck{}, Differences: []api.Difference{}}
	for _, p := range r.Providers {
		out.Providers = append(out.Providers, api.ProviderCheck{Provider: string(p.Provider), Listed: p.Listed,
			Records: p.Records, Queries: p.Queries, Error: p.Err})
	}
	for _, d := range r.Differences {
		out.Differences = append(out.Differences, api.DifferenceOf(d, hongKong))
	}
	return out
}

// apiReconcile is the local API's reconciliation of a Hong Kong day (zero:
// today) with the gateways in force, whose rate limits the sales share.
func (t *Terminal) apiReconcile(ctx context.Context, day time.Time) (api.Reconciliation, error) {
	if day.IsZero() {
		day = time.Now().In(hongKong)
	}
	r, err := t.ReconcileDay(ctx, day)
	if err != nil {
		return api.Reconciliation{}, err
	}
	return APIReconciliation(r), nil
}
