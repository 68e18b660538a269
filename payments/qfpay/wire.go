package qfpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"qrpos/payments"
)

// hongKong is QFPay's wire time zone (UTC+8, no daylight saving).
var hongKong = time.FixedZone("HKT", 8*3600)

// wireTimeLayout is txdtm, sysdtm and paydtm: YYYY-MM-DD hh:mm:ss.
const wireTimeLayout = "2006-01-02 15:04:05"

// WireTime formats t as QFPay's txdtm, in Hong Kong time.
func WireTime(t time.Time) string { return t.In(hongKong).Format(wireTimeLayout) }

// ParseWireTime reads a txdtm/sysdtm/paydtm as Hong Kong time.
func ParseWireTime(s string) (time.Time, error) {
	return time.ParseInLocation(wireTimeLayout, strings.TrimSpace(s), hongKong)
}

// flexString is a JSON value QFPay sends as a string in one answer and a
// number in another ("txamt": "10" or 10). null and absent are "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	case bytes.Equal(b, []byte("true")) || bytes.Equal(b, []byte("false")):
		*f = flexString(b)
	default:
		return fmt.Errorf("qfpay: %.20s is not a string or a number", b)
	}
	return nil
}

func (f flexString) String() string { return strings.TrimSpace(string(f)) }

// record is one transaction as QFPay describes it: a query's data entry, a
// payment or refund answer, or a notification. Unknown fields are ignored.
type record struct {
	RespCd     flexString `json:"respcd"`
	RespErr    flexString `json:"resperr"`
	RespMsg    flexString `json:"respmsg"`
	ErrMsg     flexString `json:"errmsg"`
	Syssn      flexString `json:"syssn"`
	OrigSyssn  flexString `json:"orig_syssn"`
	OrigSsn    flexString `json:"origssn"`
	OutTradeNo flexString `json:"out_trade_no"`
	OrigOutNo  flexString `json:"orig_out_trade_no"`
	PayType    flexString `json:"pay_type"`
	OrderType  flexString `json:"order_type"`
	NotifyType flexString `json:"notify_type"`
	Status     flexString `json:"status"`
	TxAmt      flexString `json:"txamt"`
	TxCurrCd   flexString `json:"txcurrcd"`
	TxDtm      flexString `json:"txdtm"`
	SysDtm     flexString `json:"sysdtm"`
	PayDtm     flexString `json:"paydtm"`
	Cancel     flexString `json:"cancel"`
	QRCode     flexString `json:"qrcode"`
	ChnlSn     flexString `json:"chnlsn"`
	Udid       flexString `json:"udid"`

	// A mainland wallet paying a Hong Kong merchant: what the customer
	// paid (or got back) in their own currency, in its minor units.
	CashFee           flexString `json:"cash_fee"`
	CashFeeType       flexString `json:"cash_fee_type"`
	CashRefundFee     flexString `json:"cash_refund_fee"`
	CashRefundFeeType flexString `json:"cash_refund_fee_type"`
	ExchangeRate      flexString `json:"exchange_rate"`
}

// amount is the record's txamt and txcurrcd exactly as given (see
// wireAmount).
func (r *record) amount() (payments.Money, error) {
	return wireAmount(r.TxAmt.String(), r.TxCurrCd.String())
}

// cashAmount is what the customer paid in their own currency (for a refund
// record, what they got back), when the record says.
func (r *record) cashAmount(refund bool) (payments.Money, error) {
	if refund {
		return wireAmount(r.CashRefundFee.String(), r.CashRefundFeeType.String())
	}
	return wireAmount(r.CashFee.String(), r.CashFeeType.String())
}

// origSyssn is the sale's syssn of a refund, whichever spelling came.
func (r *record) origSyssn() string {
	if s := r.OrigSyssn.String(); s != "" {
		return s
	}
	return r.OrigSsn.String()
}

// response is an answer of /trade/v1/*: the record fields at the top level
// (payment, refund, close, reversal) and, for a query, data records.
type response struct {
	record
	Page     flexString `json:"page"`
	PageSize flexString `json:"page_size"`
	Data     []record   `json:"data"`
}

// errUnparsable: the answer is not a QFPay answer. The outcome of the call
// is unknown.
var errUnparsable = errors.New("qfpay: answer is not a QFPay JSON object with a respcd")

// parseResponse reads an answer body. It fails when the body is not one
// JSON object or has no respcd: a call whose answer cannot be read has an
// unknown outcome.
func parseResponse(body []byte) (*response, error) {
	var r response
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %v", errUnparsable, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", errUnparsable)
	}
	if r.RespCd.String() == "" {
		return nil, errUnparsable
	}
	return &r, nil
}

// wireAmount reads an amount exactly as QFPay gives it: minor units, and
// the currency code as sent, even one this terminal does not charge in (the
// engine compares it with the order's and sees the difference). No amount
// is a zero Minor, no currency an empty Currency: neither is then compared.
// Minor units that are not a count are an error.
func wireAmount(minor, currency string) (payments.Money, error) {
	m := payments.Money{Currency: payments.Currency(strings.TrimSpace(currency))}
	if minor == "" {
		return m, nil
	}
	v, err := strconv.ParseInt(minor, 10, 64)
	if err != nil || v < 0 || v > maxWireMinor {
		return payments.Money{}, fmt.Errorf("qfpay: amount %q is not a count of minor units", minor)
	}
	m.Minor = v
	return m, nil
}

// maxWireMinor keeps a provider's amount far from int64 overflow.
const maxWireMinor = 1e15

// parseCancel reads the cancel flag (0..5); "" is 0.
func parseCancel(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("qfpay: cancel flag %q is not a number", s)
	}
	return n, nil
}
