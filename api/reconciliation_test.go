package api

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestReconciliationRequest: GET /v1/reconciliation hands the terminal
// the Hong Kong day asked (zero: today) and answers its comparison; a bad
// date is refused before the terminal is asked; a server without a
// reconciler says so. The reconciler here stands in for the terminal's
// (qrpos/cli's TestReconcileDay runs the real one through this endpoint).
func TestReconciliationRequest(t *testing.T) {
	var asked []time.Time
	r := newRig(t, rigOptions{reconcile: func(_ context.Context, day time.Time) (Reconciliation, error) {
		asked = append(asked, day)
		return Reconciliation{TID: "T001", Date: day.Format("2006-01-02"), Sales: 3, Clean: true,
			Providers: []ProviderCheck{{Provider: "qfpay", Listed: true, Records: 3}}, Differences: []Difference{}}, nil
	}})
	ctx := context.Background()
	got, err := r.c.Reconciliation(ctx, "2026-03-10")
	if err != nil || got.Date != "2026-03-10" || got.Sales != 3 || !got.Clean || len(got.Providers) != 1 || !got.Providers[0].Listed {
		t.Fatalf("reconciliation %+v %v", got, err)
	}
	if _, err := r.c.Reconciliation(ctx, ""); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if _, err := r.c.Reconciliation(ctx, "10/03/2026"); !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Code != CodeQueryInvalid || e.Field != "date" {
		t.Fatalf("a bad date: %v", err)
	}
	if len(asked) != 2 || asked[0].Format("2006-01-02") != "2026-03-10" || !asked[1].IsZero() {
		t.Fatalf("the terminal was asked about %v", asked)
	}
	bare := newRig(t, rigOptions{})
	if _, err := bare.c.Reconciliation(ctx, ""); !errors.As(err, &e) || e.Status != http.StatusNotFound {
		t.Fatalf("no reconciler: %v", err)
	}
}
