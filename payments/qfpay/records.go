package qfpay

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"qrpos/payments"
)

// The enquiry by time range (providers.md 2.2): QFPay lists the records
// whose sysdtm lies between start_time and end_time (both in whole seconds,
// Hong Kong time, end included), at most one calendar month at a time, at
// most 100 a page; page after page until a page comes back short.

// RecordsPageSize is the page size Records asks for: QFPay's largest.
const RecordsPageSize = 100

// maxRecordPages bounds one span's paging (a million records), so that a
// host that never sends a short page cannot keep the terminal asking.
const maxRecordPages = 10000

var _ payments.DayLister = (*Gateway)(nil)

// Records lists every record (sales and refunds, of every terminal of the
// merchant) that QFPay made in [from, to), split into spans of at most one
// calendar month. Each page is one call through the merchant's rate
// limiter. A record whose amount cannot be read ends the listing with an
// error (a list with a hole is no list to reconcile with); a record that is
// neither a payment nor a refund (order_type) is left out and logged once.
func (g *Gateway) Records(ctx context.Context, from, to time.Time) ([]payments.Record, error) {
	var out []payments.Record
	for _, s := range monthSpans(from, to) {
		recs, err := g.listSpan(ctx, s[0], s[1])
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// monthSpans cuts [from, to) at the starts of Hong Kong calendar months;
// each span starts on a whole second. Nothing when to is not after from.
func monthSpans(from, to time.Time) [][2]time.Time {
	from = from.In(hongKong).Truncate(time.Second)
	var out [][2]time.Time
	for from.Before(to) {
		next := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, hongKong)
		end := to
		if next.Before(to) {
			end = next
		}
		out = append(out, [2]time.Time{from, end})
		from = end
	}
	return out
}

// listSpan pages through the records of [from, to), one span within a
// calendar month.
func (g *Gateway) listSpan(ctx context.Context, from, to time.Time) ([]payments.Record, error) {
	const op = "records"
	start, end := WireTime(from), WireTime(to.Add(-time.Nanosecond))
	span := start + " to " + end
	var out []payments.Record
	seen := map[string]bool{}
	for page := 1; page <= maxRecordPages; page++ {
		params := url.Values{"start_time": {start}, "end_time": {end},
			"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(RecordsPageSize)}}
		resp, err := g.call(ctx, op, span, "/trade/v1/query", params)
		if err != nil {
			return nil, err
		}
		if resp.RespCd.String() != CodeOK {
			return nil, refusal(op, span, &resp.record)
		}
		fresh := 0
		for i := range resp.Data {
			r, ok, err := g.recordOf(&resp.Data[i])
			if err != nil {
				return nil, fmt.Errorf("qfpay records %s, page %d: %w", span, page, err)
			}
			key := string(r.Kind) + "\x00" + r.ProviderRef + "\x00" + r.OutTradeNo
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			fresh++
			out = append(out, r)
		}
		if len(resp.Data) < pageSizeOf(resp) {
			return out, nil
		}
		if fresh == 0 {
			return nil, fmt.Errorf("qfpay records %s: page %d repeats records already listed: the list cannot be trusted", span, page)
		}
	}
	return nil, fmt.Errorf("qfpay records %s: more than %d pages", span, maxRecordPages)
}

// pageSizeOf is the page size QFPay says it used, when it says a smaller
// one than asked: a short page is measured against it.
func pageSizeOf(resp *response) int {
	if n, err := strconv.Atoi(resp.PageSize.String()); err == nil && n > 0 && n < RecordsPageSize {
		return n
	}
	return RecordsPageSize
}

// recordOf is one enquiry record in the provider-neutral shape. ok is
// false for a record that is neither a payment nor a refund.
func (g *Gateway) recordOf(rec *record) (r payments.Record, ok bool, err error) {
	code := rec.RespCd.String()
	r = payments.Record{Provider: payments.QFPay, Kind: payments.RecordSale, OutTradeNo: rec.OutTradeNo.String(),
		ProviderRef: rec.Syssn.String(), MethodCode: rec.PayType.String(), TID: rec.Udid.String(), Code: code}
	if r.Amount, err = rec.amount(); err != nil {
		return r, false, fmt.Errorf("syssn %s: %w", r.ProviderRef, err)
	}
	r.At = recordTime(rec)
	switch ot := rec.OrderType.String(); {
	case ot == "refund" || rec.origSyssn() != "":
		r.Kind, r.OriginalRef, r.OriginalOrder = payments.RecordRefund, rec.origSyssn(), rec.OrigOutNo.String()
		r.RefundState = refundState(code)
		return r, true, nil
	case ot != "" && ot != "payment":
		g.noteOnce(&g.loggedCodes, "order_type "+ot, "qfpay record neither a payment nor a refund: left out of the day's records",
			"syssn", r.ProviderRef, "order_type", ot)
		return r, false, nil
	}
	cancel, cerr := parseCancel(rec.Cancel.String())
	state, flagKnown := saleState(code, cancel)
	if cerr != nil || !flagKnown {
		g.noteOnce(&g.loggedCancel, rec.Cancel.String(), "qfpay cancel flag not recognised: record's state unknown",
			"syssn", r.ProviderRef, "cancel", rec.Cancel.String())
		state = payments.Unknown
	}
	r.State = state
	return r, true, nil
}

// recordTime is when QFPay made the record: sysdtm, else txdtm; zero when
// neither reads.
func recordTime(rec *record) time.Time {
	for _, s := range []string{rec.SysDtm.String(), rec.TxDtm.String()} {
		if t, err := ParseWireTime(s); err == nil {
			return t
		}
	}
	return time.Time{}
}
