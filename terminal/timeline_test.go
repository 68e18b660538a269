package terminal

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// paidAfterPolls is the journal of an MPM sale the customer paid after 16
// status checks over 14 seconds, refunded in part after two refund checks.
func paidAfterPolls(start time.Time) []OrderEvent {
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	evs := []OrderEvent{
		{At: at(0), Kind: storage.EventCreated, StateTo: payments.Created},
		{At: at(10), Kind: storage.EventRequest, Detail: "pay 800101 88.50"},
		{At: at(300), Kind: storage.EventResponse, StateFrom: payments.Created, StateTo: payments.Pending, Detail: "0000 ok"},
	}
	for i := range 16 {
		evs = append(evs, OrderEvent{At: at(1000 + 900*i), Kind: storage.EventRequest, Detail: "query"})
		if i == 15 {
			break // the last check's answer moved the order
		}
		if i == 7 {
			evs = append(evs, OrderEvent{At: at(1000 + 900*i + 50), Kind: storage.EventNoAnswer, Detail: "query: qfpay: timeout"})
			continue
		}
		evs = append(evs, OrderEvent{At: at(1000 + 900*i + 50), Kind: storage.EventResponse, Detail: "query: 1143 waiting for the customer"})
	}
	return append(evs,
		OrderEvent{At: at(14550), Kind: storage.EventResponse, StateFrom: payments.Pending, StateTo: payments.Paid, Detail: "query: 0000 paid"},
		OrderEvent{At: at(20000), Kind: storage.EventNotification, Detail: "paid, no change"},
		OrderEvent{At: at(60000), Kind: storage.EventRefund, Detail: "refund R1 of HK$30.00 created"},
		OrderEvent{At: at(60010), Kind: storage.EventRequest, Detail: "refund R1 30.00"},
		OrderEvent{At: at(60300), Kind: storage.EventRefund, Detail: "refund R1: created -> pending"},
		OrderEvent{At: at(61000), Kind: storage.EventRequest, Detail: "query refund R1"},
		OrderEvent{At: at(61050), Kind: storage.EventResponse, Detail: "query refund R1: not found yet; still checking"},
		OrderEvent{At: at(62000), Kind: storage.EventRequest, Detail: "query refund R1"},
		OrderEvent{At: at(62050), Kind: storage.EventRefund, Detail: "refund R1: pending -> done"},
		OrderEvent{At: at(62050), Kind: storage.EventState, StateFrom: payments.Paid, StateTo: payments.PartlyRefunded, Detail: "refund R1"},
		OrderEvent{At: at(70000), Kind: storage.EventRequest, Detail: "close: cancelled by the cashier"},
		OrderEvent{At: at(70100), Kind: storage.EventResponse, Detail: "close: 0000 ok"},
		OrderEvent{At: at(70200), Kind: storage.EventNote, Detail: "ignored paid -> closed"},
	)
}

func TestTimelineCollapsesPolls(t *testing.T) {
	start := time.Date(2026, 12, 1, 14, 2, 0, 0, time.Local)
	o := payments.Order{OutTradeNo: "T001261201ABCDEFGHIJ", Mode: payments.MPM}
	tl := Timeline(o, paidAfterPolls(start))
	var got []string
	for _, e := range tl {
		s := string(e.Kind)
		if e.Kind == TimelinePolls {
			s += fmt.Sprintf(" %d/%d %s %s-%s %q", e.Count, e.NoAnswer, e.RefundNo, e.At.Format("15:04:05.000"), e.Until.Format("15:04:05.000"), e.Detail)
		}
		if e.StateTo != "" {
			s += " " + string(e.StateFrom) + ">" + string(e.StateTo)
		}
		got = append(got, s)
	}
	want := []string{
		"created",
		"pay_sent",
		"qr created>pending",
		`polls 16/1  14:02:01.000-14:02:14.500 "1143 waiting for the customer"`,
		"answer pending>paid",
		"notification",
		"refund",
		"refund_sent",
		"refund",
		`polls 2/0 R1 14:03:01.000-14:03:02.000 "not found yet; still checking"`,
		"refund",
		"state paid>partly_refunded",
		"cancel_sent",
		"answer",
		"note",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range tl {
		if e.Kind != TimelinePolls && (e.Count != 1 || !e.Until.Equal(e.At)) {
			t.Fatalf("a single event counts %d over %v..%v", e.Count, e.At, e.Until)
		}
	}
}

// TestTimelineKeepsWhatIsNews: an answer that moved the order, a
// notification or a note between checks splits them; a CPM sale's first
// pending is no QR code; answers whose request an older run wrote still
// count as one check.
func TestTimelineKeepsWhatIsNews(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.Local)
	cpm := payments.Order{Mode: payments.CPM}
	tl := Timeline(cpm, []OrderEvent{
		{At: at, Kind: storage.EventResponse, Detail: "query: 1143 waiting"},
		{At: at, Kind: storage.EventResponse, StateFrom: payments.Created, StateTo: payments.Pending, Detail: "1143 password"},
		{At: at, Kind: storage.EventRequest, Detail: "query"},
		{At: at, Kind: storage.EventNotification, Detail: "pending"},
		{At: at, Kind: storage.EventRequest, Detail: "query"},
		{At: at, Kind: storage.EventRequest, Detail: "query refund R2"},
		{At: at, Kind: storage.EventRequest, Detail: "query refund R3"},
	})
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, fmt.Sprintf("%s:%d:%s", e.Kind, e.Count, e.RefundNo))
	}
	want := "polls:1: answer:1: polls:1: notification:1: polls:1: polls:1:R2 polls:1:R3"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestTimelineOfARealSale: a sale the sandbox's customer pays after the
// engine checked several times: its timeline has every check in one line,
// and every other journal event in a line of its own.
func TestTimelineOfARealSale(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := c.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800101", Amount: payments.Money{Minor: 8850, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	no := w.First().Order.OutTradeNo
	queries := func() int {
		d, err := c.OrderDetail(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range d.Events {
			if e.Kind == storage.EventRequest && e.Detail == "query" {
				n++
			}
		}
		return n
	}
	for queries() < 3 {
		select {
		case <-ctx.Done():
			t.Fatal("the engine never checked three times")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := c.SandboxPay(no, "success"); err != nil {
		t.Fatal(err)
	}
	for v := range w.Views() {
		if v.Ended && v.Order.State != payments.Paid {
			t.Fatalf("ended %s", v.Order.State)
		}
	}
	d, err := c.OrderDetail(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	tl := Timeline(d.Order, d.Events)
	var polls []TimelineEntry
	singles := 0
	for _, e := range tl {
		if e.Kind == TimelinePolls {
			polls = append(polls, e)
		} else {
			singles++
		}
	}
	if len(polls) != 1 || polls[0].Count != queries() {
		t.Fatalf("%d polls lines %+v for %d checks", len(polls), polls, queries())
	}
	raw := 0
	for _, e := range d.Events {
		if _, poll := pollOf(e); !poll {
			raw++
		}
	}
	if singles != raw || tl[len(tl)-1].StateTo != payments.Paid || tl[0].Kind != TimelineCreated {
		t.Fatalf("%d single lines for %d events; timeline %+v", singles, raw, tl)
	}
}
