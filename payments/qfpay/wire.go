package qfpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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
