package payments

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 alphabetic code.
type Currency string

// DefaultCurrency is the currency of a terminal whose profile names none.
const DefaultCurrency Currency = "HKD"

// currencyInfo is what the terminal knows of each currency it can charge in:
// the 13 currencies of the QFPay network (seed "Currencies" table).
type currencyInfo struct {
	decimals int    // ISO 4217 minor unit
	symbol   string // how a person reads it on a screen or receipt
}

var currencies = map[Currency]currencyInfo{
	"AED": {2, "AED "},
	"AUD": {2, "A$"},
	"CAD": {2, "C$"},
	"CNY": {2, "¥"},
	"EUR": {2, "€"},
	"HKD": {2, "HK$"},
	"IDR": {2, "Rp "},
	"JPY": {0, "JP¥"},
	"MMK": {2, "K "},
	"MYR": {2, "RM "},
	"SGD": {2, "S$"},
	"THB": {2, "฿"},
	"USD": {2, "US$"},
}

// Currencies lists the supported currency codes in alphabetical order.
func Currencies() []Currency {
	return []Currency{"AED", "AUD", "CAD", "CNY", "EUR", "HKD", "IDR", "JPY", "MMK", "MYR", "SGD", "THB", "USD"}
}

// ParseCurrency accepts a supported ISO 4217 code, in any letter case.
func ParseCurrency(s string) (Currency, error) {
	c := Currency(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := currencies[c]; !ok {
		return "", fmt.Errorf("currency %q is not supported (use one of %v)", s, Currencies())
	}
	return c, nil
}

// Decimals is the number of minor-unit digits of c (2 for HKD, 0 for JPY).
func (c Currency) Decimals() int { return currencies[c].decimals }

// Valid reports whether c is a supported currency.
func (c Currency) Valid() bool { _, ok := currencies[c]; return ok }

// Money is an amount as an integer count of minor units (cents for HKD) with
// its currency. It is never a float.
type Money struct {
	Minor    int64
	Currency Currency
}

// Range bounds the amounts a provider accepts, in minor units, inclusive.
// A zero Max means no upper bound.
type Range struct {
	Min, Max int64
}

// maxMinor keeps every parsed amount far from int64 overflow.
const maxMinor = 1e15

// AmountError says why a typed amount was refused. Reason is in words a
// developer reads; Kind (and Limit, for a range) let a screen say it in
// the shop's words.
type AmountError struct {
	Input  string
	Reason string
	Kind   AmountProblem
	Limit  Money // AmountBelowMin, AmountAboveMax: the bound crossed
}

// AmountProblem is what is wrong with an amount.
type AmountProblem int

// The problems of an amount.
const (
	AmountNotANumber AmountProblem = iota // not digits with at most one point
	AmountEmpty                           // nothing typed
	AmountDecimals                        // more decimals than the currency has
	AmountTooLarge                        // beyond any amount the terminal takes
	AmountBelowMin                        // below the method's smallest (Limit)
	AmountAboveMax                        // above the method's largest (Limit)
	AmountCurrency                        // a currency the terminal does not know
)

// OutOfRange is the *AmountError of an amount m (typed as input) outside
// r, or nil when m lies inside it.
func OutOfRange(input string, m Money, r Range) error {
	err := r.Check(m)
	if err == nil {
		return nil
	}
	e := &AmountError{Input: input, Reason: err.Error(), Kind: AmountAboveMax, Limit: Money{Minor: r.Max, Currency: m.Currency}}
	if m.Minor < r.Min {
		e.Kind, e.Limit.Minor = AmountBelowMin, r.Min
	}
	return e
}

func (e *AmountError) Error() string {
	return fmt.Sprintf("amount %q: %s", e.Input, e.Reason)
}

// ParseMoney reads a decimal amount as a person types it ("12.34", "12.3",
// "12") strictly: digits with at most one decimal point and no more decimals
// than the currency has; no sign, exponent, separator, space or empty input;
// and the result must lie inside r. Errors are *AmountError.
func ParseMoney(s string, c Currency, r Range) (Money, error) {
	info, ok := currencies[c]
	if !ok {
		return Money{}, &AmountError{Input: s, Reason: fmt.Sprintf("unsupported currency %q", c), Kind: AmountCurrency}
	}
	if s == "" {
		return Money{}, &AmountError{Input: s, Reason: "empty", Kind: AmountEmpty}
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" {
		return Money{}, &AmountError{Input: s, Reason: "no digits before the decimal point"}
	}
	if hasPoint && frac == "" {
		return Money{}, &AmountError{Input: s, Reason: "no digits after the decimal point"}
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return Money{}, &AmountError{Input: s, Reason: fmt.Sprintf("%q is not a digit", part[i])}
			}
		}
	}
	if len(frac) > info.decimals {
		if info.decimals == 0 {
			return Money{}, &AmountError{Input: s, Reason: fmt.Sprintf("%s has no decimals", c), Kind: AmountDecimals}
		}
		return Money{}, &AmountError{Input: s, Reason: fmt.Sprintf("%s has at most %d decimals", c, info.decimals), Kind: AmountDecimals}
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15-info.decimals {
		return Money{}, &AmountError{Input: s, Reason: "too large", Kind: AmountTooLarge}
	}
	digits := whole + frac + strings.Repeat("0", info.decimals-len(frac))
	var minor int64
	if digits != "" {
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || v > maxMinor {
			return Money{}, &AmountError{Input: s, Reason: "too large", Kind: AmountTooLarge}
		}
		minor = v
	}
	m := Money{Minor: minor, Currency: c}
	if err := OutOfRange(s, m, r); err != nil {
		return Money{}, err
	}
	return m, nil
}

// ErrOutOfRange is wrapped by Range.Check.
var ErrOutOfRange = errors.New("out of range")

// Check reports whether m lies inside r.
func (r Range) Check(m Money) error {
	if m.Minor < r.Min {
		return fmt.Errorf("%w: below the minimum %s", ErrOutOfRange, Money{r.Min, m.Currency}.Decimal())
	}
	if r.Max > 0 && m.Minor > r.Max {
		return fmt.Errorf("%w: above the maximum %s", ErrOutOfRange, Money{r.Max, m.Currency}.Decimal())
	}
	return nil
}

// Decimal formats m with exactly the currency's decimals and no symbol:
// "12.30" for HK$12.30, "500" for JP¥500. It is eftPay's transaction_amount.
func (m Money) Decimal() string {
	d := m.Currency.Decimals()
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d-len(s)+1) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// MinorString is the amount in minor units as decimal digits: "1230" for
// HK$12.30. It is QFPay's txamt.
func (m Money) MinorString() string { return strconv.FormatInt(m.Minor, 10) }

// String is the amount for people: "HK$12.30", with thousands separators.
func (m Money) String() string {
	dec := m.Decimal()
	sign := ""
	if strings.HasPrefix(dec, "-") {
		sign, dec = "-", dec[1:]
	}
	whole, frac, hasFrac := strings.Cut(dec, ".")
	var b strings.Builder
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	sym := currencies[m.Currency].symbol
	if sym == "" {
		sym = string(m.Currency) + " "
	}
	return sign + sym + b.String()
}

// Add returns m+o; both must be in the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("cannot add %s to %s", o.Currency, m.Currency)
	}
	return Money{m.Minor + o.Minor, m.Currency}, nil
}

// ParseWireDecimal reads an amount as a provider sends it ("0.10", "0.1",
// "12"): like ParseMoney but with no range check, since the provider, not
// the cashier, chose it.
func ParseWireDecimal(s string, c Currency) (Money, error) {
	return ParseMoney(strings.TrimSpace(s), c, Range{})
}

// ParseWireMinor reads an amount in minor units as QFPay sends it ("1230").
func ParseWireMinor(s string, c Currency) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Money{}, &AmountError{Input: s, Reason: "empty", Kind: AmountEmpty}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > maxMinor {
		return Money{}, &AmountError{Input: s, Reason: "not a count of minor units"}
	}
	if !c.Valid() {
		return Money{}, &AmountError{Input: s, Reason: fmt.Sprintf("unsupported currency %q", c), Kind: AmountCurrency}
	}
	return Money{Minor: v, Currency: c}, nil
}
