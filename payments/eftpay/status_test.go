package eftpay

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"qrpos/payments"
)

func TestDescribeStatus(t *testing.T) {
	tests := []struct {
		code string
		kind payments.ErrorKind
	}{
		{"00", ""},
		{"03", payments.KindDuplicate},
		{"3", payments.KindDuplicate},
		{"10", payments.KindBadSignature},
		{"11", payments.KindAuth},
		{"-11", payments.KindAuth},
		{"-12", payments.KindAuth},
		{"12", payments.KindClock},
		{"-22", payments.KindAmount},
		{"-23", payments.KindAmount},
		{"05", payments.KindNotFound},
		{"01", payments.KindBadRequest},
		{"02", payments.KindBadRequest},
		{"04", payments.KindBadRequest},
		{"06", payments.KindBadRequest},
		{"20", payments.KindBadRequest},
		{"-13", payments.KindBadRequest},
		{"-16", payments.KindBadRequest},
		{"-53", payments.KindRefundBalance},
		{"-54", payments.KindRefundBalance},
		{"-55", payments.KindClosed},
		{"15", payments.KindAlreadyPaid},
		{"16", payments.KindRefundRefused},
		{"-1", payments.KindSystem},
		{"-99", payments.KindSystem},
		{"09", payments.KindSystem},
		{"77", payments.KindSystem}, // unknown
	}
	for _, tc := range tests {
		kind, text := DescribeStatus(tc.code)
		if kind != tc.kind {
			t.Errorf("%s: kind %q, want %q", tc.code, kind, tc.kind)
		}
		if text == "" {
			t.Errorf("%s: no text for people", tc.code)
		}
	}
}

func TestTradeStatusMapping(t *testing.T) {
	sale := []struct {
		ts    string
		want  payments.State
		known bool
	}{
		{"WAITTING_PAYMENT", payments.Pending, true},
		{"TRADE_SUCCESS", payments.Paid, true},
		{"TRADE_CLOSED", payments.Closed, true},
		{"WAITING_PAYMENT", payments.Unknown, false}, // the spelling eftPay does not use
		{"", payments.Unknown, false},
	}
	for _, tc := range sale {
		if got, known := SaleState(tc.ts); got != tc.want || known != tc.known {
			t.Errorf("SaleState(%q) = %s, %v", tc.ts, got, known)
		}
	}
	refund := []struct {
		ts    string
		want  payments.RefundState
		known bool
	}{
		{"TRADE_PROCESSING", payments.RefundPending, true},
		{"APPLY_SUCCESS", payments.RefundPending, true},
		{"TRADE_REFUND", payments.RefundDone, true},
		{"TRADE_CLOSED", payments.RefundDone, true},
		{"TRADE_FAIL", payments.RefundFailed, true},
		{"REFUND_SOMETHING", payments.RefundPending, false},
	}
	for _, tc := range refund {
		if got, known := RefundStateOf(tc.ts); got != tc.want || known != tc.known {
			t.Errorf("RefundStateOf(%q) = %s, %v", tc.ts, got, known)
		}
	}
}

func TestUnknownStatusLoggedOncePerValue(t *testing.T) {
	var buf bytes.Buffer
	s := surprises{log: slog.New(slog.NewTextHandler(&buf, nil))}
	for i := 0; i < 5; i++ {
		if st := s.saleState("TRADE_PAUSED", "query", "N1"); st != payments.Unknown {
			t.Fatalf("state %s, want unknown", st)
		}
		s.saleState("TRADE_SUCCESS", "query", "N1")
		s.refundState("TRADE_PAUSED", "query", "N1")
	}
	s.saleState("TRADE_HELD", "query", "N2")
	out := buf.String()
	if n := strings.Count(out, "trade_status=TRADE_PAUSED"); n != 2 { // once as a sale, once as a refund
		t.Fatalf("TRADE_PAUSED logged %d times, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "TRADE_HELD"); n != 1 {
		t.Fatalf("TRADE_HELD logged %d times, want 1", n)
	}
	if strings.Contains(out, "TRADE_SUCCESS") {
		t.Fatal("a known status was logged as a surprise")
	}
}
