package store_test

import (
	"context"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/store"
)

// TestSearchOrders: a text matches the start of an order number or of a
// provider reference literally (no wildcards), an amount matches in its
// currency, a store narrows, and text no order can hold matches nothing
// without an error.
func TestSearchOrders(t *testing.T) {
	r := hqtest.New(t)
	j := hqtest.NewJournal("T001")
	for i, amount := range []int64{1050, 2050, 1050} {
		j.Sale(hqtest.OrderNo("T001", i+1), amount)
	}
	k := hqtest.NewJournal("T002")
	k.Sale(hqtest.OrderNo("T002", 1), 1050)
	for _, jj := range []*hqtest.Journal{j, k} {
		if rep := r.Post(r.Enrol(jj.TID, map[string]string{"T001": "Central", "T002": "Kowloon"}[jj.TID]), jj.All()); rep.Status != 200 {
			t.Fatalf("upload: %+v", rep)
		}
	}
	for _, c := range []struct {
		name string
		s    store.Search
		want int
	}{
		{"a terminal's numbers", store.Search{Text: "T001"}, 3},
		{"every number", store.Search{Text: "T00"}, 4},
		{"one number", store.Search{Text: hqtest.OrderNo("T001", 2)}, 1},
		{"a reference", store.Search{Text: "REF" + hqtest.OrderNo("T002", 1)}, 1},
		{"references' start", store.Search{Text: "REFT001"}, 3},
		{"an underscore is literal", store.Search{Text: "T00_"}, 0},
		{"a percent sign is literal", store.Search{Text: "T%"}, 0},
		{"an amount", store.Search{Amounts: []store.Amount{{Currency: "HKD", Minor: 1050}}}, 3},
		{"an amount in another currency", store.Search{Amounts: []store.Amount{{Currency: "CNY", Minor: 1050}}}, 0},
		{"an amount in one store", store.Search{Amounts: []store.Amount{{Currency: "HKD", Minor: 1050}}, Store: "Kowloon"}, 1},
		{"number or amount", store.Search{Text: "T002", Amounts: []store.Amount{{Currency: "HKD", Minor: 2050}}}, 2},
		{"a limit", store.Search{Text: "T00", Limit: 2}, 2},
		{"a NUL", store.Search{Text: "T\x00"}, 0},
		{"not UTF-8", store.Search{Text: "T\xff"}, 0},
		{"nothing", store.Search{}, 0},
	} {
		got, err := r.DB.SearchOrders(context.Background(), c.s)
		if err != nil || len(got) != c.want {
			t.Errorf("%s: %d orders, %v; want %d", c.name, len(got), err, c.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].CreatedAt.After(got[i-1].CreatedAt) {
				t.Errorf("%s: not newest first", c.name)
			}
		}
	}
}
