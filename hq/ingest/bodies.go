package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments"
)

// decode decodes the body of a kind head office knows into e and checks
// it; other kinds pass as they are.
func decode(tid string, e *store.Entry) error {
	var err error
	switch e.Kind {
	case wire.KindOrder:
		e.Order = new(wire.Order)
		if err = decodeBody(e.Body, e.Order); err == nil {
			err = checkOrder(tid, e.Order)
		}
	case wire.KindRefund:
		e.Refund = new(wire.Refund)
		if err = decodeBody(e.Body, e.Refund); err == nil {
			err = checkRefund(e.Refund)
		}
	case wire.KindEvent:
		e.Event = new(wire.Event)
		if err = decodeBody(e.Body, e.Event); err == nil && e.Event.OutTradeNo == "" {
			err = errors.New("no out_trade_no")
		}
	case wire.KindProfile:
		e.Profile = new(wire.Profile)
		if err = decodeBody(e.Body, e.Profile); err == nil {
			err = checkProfile(tid, e.Profile)
		}
	case wire.KindPrint:
		err = decodeBody(e.Body, new(wire.Print))
	case wire.KindAudit:
		err = decodeBody(e.Body, new(wire.Audit))
	}
	return err
}

// decodeBody decodes body into v: fields of the wrong type are refused,
// fields v does not have are let through (a newer terminal's).
func decodeBody(body []byte, v any) error {
	return json.Unmarshal(body, v)
}

func checkOrder(tid string, o *wire.Order) error {
	switch {
	case o.OutTradeNo == "" || len(o.OutTradeNo) > 64:
		return errors.New("out_trade_no: 1 to 64 characters")
	case o.TID != "" && o.TID != tid:
		return fmt.Errorf("order of terminal %q in a batch of %q", o.TID, tid)
	case !payments.Currency(o.Currency).Valid():
		return fmt.Errorf("currency %q", o.Currency)
	case o.AmountMinor < 0 || o.RefundedMinor < 0:
		return errors.New("a negative amount")
	case o.State == "":
		return errors.New("no state")
	}
	return nil
}

func checkRefund(r *wire.Refund) error {
	switch {
	case r.RefundNo == "" || len(r.RefundNo) > 64 || r.OutTradeNo == "" || len(r.OutTradeNo) > 64:
		return errors.New("refund_no, out_trade_no: 1 to 64 characters")
	case !payments.Currency(r.Currency).Valid():
		return fmt.Errorf("currency %q", r.Currency)
	case r.AmountMinor < 0:
		return errors.New("a negative amount")
	case r.State == "":
		return errors.New("no state")
	}
	return nil
}

func checkProfile(tid string, p *wire.Profile) error {
	switch {
	case p.TID != "" && p.TID != tid:
		return fmt.Errorf("profile of terminal %q in a batch of %q", p.TID, tid)
	case p.UpdatedAt <= 0:
		return errors.New("no updated_at (its version)")
	case !bytes.HasPrefix(bytes.TrimSpace(p.Settings), []byte("{")):
		return errors.New("settings: want a JSON object")
	}
	return nil
}

// storable checks that PostgreSQL's jsonb takes a valid JSON text: no
// \u0000 and no lone UTF-16 surrogate in its strings.
func storable(js []byte) error {
	s := string(js)
	for i := strings.Index(s, `\u`); i >= 0; i = strings.Index(s, `\u`) {
		if backslashes(s[:i])%2 == 1 { // the backslash is itself escaped
			s = s[i+2:]
			continue
		}
		cp := hex4(s[i+2:])
		s = s[i+6:]
		switch {
		case cp == 0:
			return errors.New(`\u0000 in a string`)
		case cp >= 0xD800 && cp < 0xDC00:
			if len(s) < 6 || s[:2] != `\u` || hex4(s[2:]) < 0xDC00 || hex4(s[2:]) > 0xDFFF {
				return errors.New("a lone UTF-16 surrogate in a string")
			}
			s = s[6:]
		case cp >= 0xDC00 && cp <= 0xDFFF:
			return errors.New("a lone UTF-16 surrogate in a string")
		}
	}
	return nil
}

// backslashes counts the backslashes that end s.
func backslashes(s string) int {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n
}

// hex4 reads 4 hex digits (valid JSON guarantees them), -1 if not.
func hex4(s string) int {
	if len(s) < 4 {
		return -1
	}
	v := 0
	for _, c := range s[:4] {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= int(c - '0')
		case c >= 'a' && c <= 'f':
			v |= int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v |= int(c-'A') + 10
		default:
			return -1
		}
	}
	return v
}
