package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// Limits on the fields of a request.
const (
	maxReference = 64
	maxAuthCode  = 128
	maxMethod    = 64
	maxKey       = 255
	maxOrderNo   = 64
)

func badRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: msg}
}

func invalid(code, field, msg string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: code, Field: field, Message: msg}
}

// decodeObject reads body as one JSON object whose members are all
// strings and named in fields; anything else is refused with a message
// that says what is wrong. The amount must be a string: a JSON number is a
// float to most tills, and money is never a float here.
func decodeObject(body []byte, fields ...string) (map[string]string, *Error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return nil, badRequest("the body is not a JSON object: " + jsonProblem(err))
	}
	if raw == nil {
		return nil, badRequest("the body is not a JSON object")
	}
	if dec.More() {
		return nil, badRequest("the body has more than one JSON value")
	}
	out := map[string]string{}
	for name, v := range raw {
		known := false
		for _, f := range fields {
			known = known || f == name
		}
		if !known {
			return nil, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: name,
				Message: fmt.Sprintf("unknown field %q (known: %s)", name, strings.Join(fields, ", "))}
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			msg := fmt.Sprintf("%s must be a JSON string", name)
			if name == "amount" {
				msg = `amount must be a JSON string in the currency's units, like "88.50" (never a number)`
			}
			return nil, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: name, Message: msg}
		}
		out[name] = s
	}
	return out, nil
}

// jsonProblem describes a JSON syntax error without quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return "expected an object, found " + te.Value
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	return "it ends too early"
}

// printable reports whether s is UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// chargeInput is a charge request as read: the amount parsed, every field
// checked on its own (not yet against the terminal's profile).
type chargeInput struct {
	req    ChargeRequest
	amount payments.Money
}

// parseChargeRequest reads the body of POST /v1/charges. It is the parser
// of outside input (FuzzParseChargeRequest).
func parseChargeRequest(body []byte) (chargeInput, *Error) {
	m, e := decodeObject(body, "amount", "currency", "method", "reference", "auth_code")
	if e != nil {
		return chargeInput{}, e
	}
	in := chargeInput{req: ChargeRequest{Amount: m["amount"], Currency: m["currency"], Method: m["method"],
		Reference: m["reference"], AuthCode: m["auth_code"]}}
	r := &in.req
	if r.Currency == "" {
		return in, invalid(CodeCurrencyInvalid, "currency", `currency is required (ISO 4217, e.g. "HKD")`)
	}
	c, err := payments.ParseCurrency(r.Currency)
	if err != nil {
		return in, invalid(CodeCurrencyInvalid, "currency", err.Error())
	}
	if r.Amount == "" {
		return in, invalid(CodeAmountInvalid, "amount", `amount is required, e.g. "88.50"`)
	}
	in.amount, err = payments.ParseMoney(r.Amount, c, payments.Range{Min: 1})
	if err != nil {
		return in, invalid(CodeAmountInvalid, "amount", err.Error())
	}
	if len(r.Method) > maxMethod || !printable(r.Method) {
		return in, invalid(CodeMethodUnknown, "method", "method is not a method name")
	}
	if len(r.Reference) > maxReference || !printable(r.Reference) {
		return in, invalid(CodeFieldInvalid, "reference", fmt.Sprintf("reference: at most %d bytes of text without control characters", maxReference))
	}
	if len(r.AuthCode) > maxAuthCode || strings.ContainsFunc(r.AuthCode, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return in, invalid(CodeFieldInvalid, "auth_code", fmt.Sprintf("auth_code: the customer's code as scanned, at most %d characters, no spaces", maxAuthCode))
	}
	return in, nil
}

// hash identifies the request for its Idempotency-Key: the same sale asked
// for again (however the JSON is laid out, "88.5" or "88.50") hashes the
// same; any other request does not.
func (in chargeInput) hash() string {
	h := sha256.New()
	for _, f := range []string{"charge/v1", in.amount.MinorString(), string(in.amount.Currency), strings.ToLower(in.req.Method),
		in.req.Reference, in.req.AuthCode} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// resolveMethod picks the method of a charge from the terminal's offered
// methods (checkout.Profile.Offered): a provider-qualified code as is; a
// wallet name as the method that serves it here (checkout.Profile.Route),
// customer-code (CPM) with an auth_code, QR (MPM) without; "any" with an
// auth_code as the route of the wallet the code's shape names
// (checkout.Profile.RouteCode).
func resolveMethod(p checkout.Profile, in chargeInput) (payments.Method, *Error) {
	name := strings.TrimSpace(in.req.Method)
	offered := p.Offered()
	withCode := in.req.AuthCode != ""
	if name == "" {
		return payments.Method{}, errNoMethod
	}
	if strings.Contains(name, ":") {
		m, err := payments.LookupMethodID(name)
		if err != nil {
			return m, invalid(CodeMethodUnknown, "method", err.Error()+` (see GET /v1/status for the methods offered)`)
		}
		for _, o := range offered {
			if o.ID() == m.ID() {
				return m, checkCode(m, withCode)
			}
		}
		return m, invalid(CodeMethodNotOffered, "method", fmt.Sprintf("this terminal does not offer %s (%s %s)", m.ID(), m.Name, m.Mode))
	}
	w := payments.Wallet(strings.ToLower(name))
	known := false
	for _, m := range payments.Methods() {
		known = known || m.Wallet == w
	}
	if !known {
		return payments.Method{}, invalid(CodeMethodUnknown, "method", fmt.Sprintf("no payment method or wallet %q", name))
	}
	if w == payments.AnyWallet && withCode {
		// The code's shape names its wallet; QFPay's unified code takes
		// any wallet.
		if m, ok := p.RouteCode(in.req.AuthCode); ok {
			return m, nil
		}
		return payments.Method{}, invalid(CodeMethodNotOffered, "method", "this terminal offers no customer-code method")
	}
	if w == payments.AnyWallet {
		return payments.Method{}, errScanCode
	}
	mode := payments.MPM
	if withCode {
		mode = payments.CPM
	}
	if m, ok := p.Route(w, mode); ok {
		return m, nil
	}
	for _, m := range p.Routes() {
		if m.Wallet == w {
			return m, checkCode(m, withCode)
		}
	}
	return payments.Method{}, invalid(CodeMethodNotOffered, "method", fmt.Sprintf("this terminal offers no %s method", name))
}

func offers(offered []payments.Method, m payments.Method) bool {
	for _, o := range offered {
		if o.ID() == m.ID() {
			return true
		}
	}
	return false
}

// checkCode: a customer-code method needs the code; a QR method takes none.
func checkCode(m payments.Method, withCode bool) *Error {
	switch {
	case m.Mode == payments.CPM && !withCode:
		return invalid(CodeAuthCodeRequired, "auth_code", fmt.Sprintf("%s (%s) is a customer-code method: send the customer's code as auth_code", m.ID(), m.Name))
	case m.Mode != payments.CPM && withCode:
		return invalid(CodeAuthCodeNotForQR, "auth_code", fmt.Sprintf("%s (%s) is a QR the customer scans: it takes no auth_code", m.ID(), m.Name))
	}
	return nil
}

// The two charges resolveMethod leaves to the cashier.
var (
	errNoMethod = invalid(CodeMethodRequired, "method",
		`method is required: a code such as "eftpay:ALIPAYHK" or a wallet such as "alipayhk" (see GET /v1/status)`)
	errScanCode = invalid(CodeAuthCodeRequired, "auth_code", `"any" wallet needs the customer's code as auth_code`)
)

// plan is what a charge request comes to: a method, or an ask the cashier
// answers (no method named; or any wallet's code, which the cashier scans).
type plan struct {
	method    payments.Method
	ask       bool
	anyWallet bool
}

// checkCharge checks a parsed request against the terminal: its currency,
// the method it offers, the provider's amount range. A request the
// cashier is to answer (counter: the terminal has a cashier's screen) is
// checked against every method the cashier could choose.
func checkCharge(p checkout.Profile, in chargeInput, counter bool) (plan, *Error) {
	if string(in.amount.Currency) != p.Currency {
		return plan{}, invalid(CodeCurrencyInvalid, "currency", fmt.Sprintf("this terminal charges in %s, not %s", p.Currency, in.amount.Currency))
	}
	m, e := resolveMethod(p, in)
	if counter && (e == errNoMethod || e == errScanCode) {
		return checkAsk(p, in, e == errScanCode)
	}
	if e != nil {
		return plan{}, e
	}
	if err := m.Range().Check(in.amount); err != nil {
		return plan{}, invalid(CodeAmountInvalid, "amount", fmt.Sprintf("amount %s at %s: %v", in.amount.Decimal(), m.Provider, err))
	}
	return plan{method: m}, nil
}

// checkAsk checks a charge left to the cashier: some method the cashier
// could choose (a customer-code one, for any wallet's code) takes the
// amount.
func checkAsk(p checkout.Profile, in chargeInput, anyWallet bool) (plan, *Error) {
	var last error
	some := false
	for _, m := range p.Offered() {
		if anyWallet && m.Mode != payments.CPM || m.Mode == payments.Token {
			continue
		}
		some = true
		if last = m.Range().Check(in.amount); last == nil {
			return plan{ask: true, anyWallet: anyWallet}, nil
		}
	}
	if !some {
		what := "payment"
		if anyWallet {
			what = "customer-code"
		}
		return plan{}, invalid(CodeMethodNotOffered, "method", fmt.Sprintf("this terminal offers no %s method", what))
	}
	return plan{}, invalid(CodeAmountInvalid, "amount", fmt.Sprintf("amount %s: no method this terminal offers takes it (%v)", in.amount.Decimal(), last))
}

// checkKey reads the Idempotency-Key header.
func checkKey(k string) *Error {
	if k == "" {
		return &Error{Status: http.StatusBadRequest, Code: CodeKeyRequired,
			Message: "send an Idempotency-Key header (e.g. the till's receipt number and attempt): the same key sent again returns the same charge and never charges twice"}
	}
	if len(k) > maxKey || strings.ContainsFunc(k, func(c rune) bool { return c < '!' || c > '~' }) {
		return &Error{Status: http.StatusBadRequest, Code: CodeKeyInvalid,
			Message: fmt.Sprintf("Idempotency-Key: 1 to %d visible ASCII characters", maxKey)}
	}
	return nil
}
