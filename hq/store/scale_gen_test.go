//go:build scale

package store_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"qrpos/hq/store"
	"qrpos/hq/wire"
)

// journal is one terminal's outbox for the generated day.
type journal struct {
	id, tid string
	at      time.Time
	entries []wire.Entry
}

func (j *journal) add(kind string, at time.Time, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	j.at = at
	j.entries = append(j.entries, wire.Entry{Seq: int64(len(j.entries) + 1), Kind: kind, At: at.UnixNano(), Body: data})
}

func (j *journal) event(no string, at time.Time, kind, from, to, detail string) {
	j.add(wire.KindEvent, at, wire.Event{ID: int64(len(j.entries) + 1), OutTradeNo: no, At: at.UnixNano(), Kind: kind,
		StateFrom: from, StateTo: to, Detail: detail})
}

func (j *journal) print(no string, at time.Time, kind string) {
	p := wire.Print{ID: int64(len(j.entries) + 1), OutTradeNo: no, Kind: kind, State: "queued", CreatedAt: at.UnixNano()}
	j.add(wire.KindPrint, at, p)
	p.State, p.Attempts, p.PrintedAt = "printed", 1, at.Add(2*time.Second).UnixNano()
	j.add(wire.KindPrint, at.Add(2*time.Second), p)
}

// methods is the chain's mix of wallets: provider, method code, mode,
// weight out of 100.
var methods = []struct {
	provider, code, mode string
	weight               int
}{
	{"eftpay", "ALIPAYHK", "MPM", 25}, {"eftpay", "WECHATPAYHK", "MPM", 20}, {"qfpay", "800101", "MPM", 10},
	{"qfpay", "805808", "CPM", 15}, {"qfpay", "802001", "MPM", 10}, {"qfpay", "800008", "CPM", 20},
}

func pickMethod(r *rand.Rand) (provider, code, mode string) {
	n := r.IntN(100)
	for _, m := range methods {
		if n < m.weight {
			return m.provider, m.code, m.mode
		}
		n -= m.weight
	}
	panic("weights do not add up to 100")
}

// terminalDay is one terminal's generated day and what it adds up to.
type terminalDay struct {
	journal *journal
	totals  dayTotals
}

// newTerminalDay makes the outbox of sales sales of tid spread over the
// shop's day (10:00-22:00): 3% expire unpaid, 2% of the paid ones are
// refunded (half of those in full), each paid sale prints a receipt; the
// day starts with a manager's login in the audit.
func newTerminalDay(tid string, sales int, r *rand.Rand) terminalDay {
	id := make([]byte, 16)
	for i := range id {
		id[i] = byte(r.IntN(256))
	}
	g := terminalDay{journal: &journal{id: hex.EncodeToString(id), tid: tid}}
	open := day.Add(10 * time.Hour)
	g.journal.add(wire.KindAudit, open, wire.Audit{ID: 1, At: open.UnixNano(), TID: tid, Actor: "manager", Action: "login"})
	step := 12 * time.Hour / time.Duration(sales)
	for n := range sales {
		g.sale(r, fmt.Sprintf("%s%s%010d", tid, day.Format("060102"), n), open.Add(time.Duration(n)*step))
	}
	return g
}

func (g *terminalDay) sale(r *rand.Rand, no string, at time.Time) {
	j := g.journal
	provider, code, mode := pickMethod(r)
	o := wire.Order{OutTradeNo: no, TID: j.tid, Provider: provider, Method: code, Mode: mode,
		AmountMinor: 500 + r.Int64N(200000), Currency: "HKD", State: "created", CreatedAt: at.UnixNano(), UpdatedAt: at.UnixNano()}
	if mode == "CPM" {
		o.AuthCodeMasked = "••••" + fmt.Sprintf("%04d", r.IntN(10000))
	}
	j.add(wire.KindOrder, at, o)
	j.event(no, at, "created", "", "created", "")
	o.State, o.UpdatedAt = "pending", at.Add(time.Second).UnixNano()
	j.add(wire.KindOrder, at.Add(time.Second), o)
	j.event(no, at.Add(time.Second), "sent", "created", "pending", "")
	done := at.Add(time.Duration(5+r.IntN(40)) * time.Second)
	if r.IntN(100) < 3 {
		o.State, o.Reason, o.UpdatedAt = "expired", "not paid in time", done.UnixNano()
		j.add(wire.KindOrder, done, o)
		j.event(no, done, "expired", "pending", "expired", "")
		return
	}
	o.State, o.ProviderRef, o.UpdatedAt = "paid", fmt.Sprintf("%020d", r.Uint64()%1e18), done.UnixNano()
	j.add(wire.KindOrder, done, o)
	j.event(no, done, "paid", "pending", "paid", "")
	j.print(no, done, "sale")
	g.totals.sales++
	g.totals.gross += o.AmountMinor
	if r.IntN(100) < 2 {
		g.refund(r, o, done.Add(10*time.Minute))
	}
	if r.IntN(50) == 0 {
		g.totals.sample = append(g.totals.sample, store.Order{TID: o.TID, OutTradeNo: no, ProviderRef: o.ProviderRef,
			AmountMinor: o.AmountMinor, Currency: o.Currency})
	}
}

func (g *terminalDay) refund(r *rand.Rand, o wire.Order, at time.Time) {
	j := g.journal
	amount := o.AmountMinor
	if r.IntN(2) == 0 {
		amount = o.AmountMinor / 2
	}
	no := "R" + o.OutTradeNo[1:]
	f := wire.Refund{RefundNo: no, OutTradeNo: o.OutTradeNo, AmountMinor: amount, Currency: o.Currency, State: "pending",
		CreatedAt: at.UnixNano(), UpdatedAt: at.UnixNano()}
	j.add(wire.KindRefund, at, f)
	f.State, f.ProviderRef, f.UpdatedAt = "done", fmt.Sprintf("%020d", r.Uint64()%1e18), at.Add(3*time.Second).UnixNano()
	j.add(wire.KindRefund, at.Add(3*time.Second), f)
	o.RefundedMinor, o.State, o.UpdatedAt = amount, "partly_refunded", at.Add(3*time.Second).UnixNano()
	if amount == o.AmountMinor {
		o.State = "refunded"
	}
	j.add(wire.KindOrder, at.Add(3*time.Second), o)
	j.event(o.OutTradeNo, at.Add(3*time.Second), "refund", "paid", o.State, no)
	j.print(o.OutTradeNo, at.Add(3*time.Second), "refund")
	g.totals.refunds++
	g.totals.refundedMn += amount
}
