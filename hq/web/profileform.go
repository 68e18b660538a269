package web

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"qrpos/payments"
)

// ProfileForm is what an admin may change of a terminal's profile at
// head office. Provider settings, secrets and the way to head office are
// not in it: they stay as the newest version has them (secrets blank).
type ProfileForm struct {
	StoreName     string
	StoreAddress  string
	ReceiptHeader string
	ReceiptFooter string
	Methods       []string // "provider:code", in the order given
	OrderTimeout  int      // seconds
	CPMTimeout    int      // seconds
	Language      string
	// Base is the version the form was filled from: a newer one made
	// meanwhile (by a manager at the terminal, or another admin) is not
	// overwritten unseen.
	Base int64
}

// Languages are the terminal's languages ("": the machine's).
var Languages = []string{"", "en", "zh-Hant", "zh-Hans"}

// FieldError is a form field the page refuses, in words for the admin.
type FieldError struct{ Field, Message string }

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

var methodID = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}:[A-Za-z0-9_]{1,32}$`)

// ParseProfileForm reads the profile form. Every field is checked as the
// terminal will check it (timeouts in range, a known language, methods
// as provider:code, known to the catalogue when providers are
// registered); texts have no control characters but line breaks in the
// receipt's header and footer.
func ParseProfileForm(v url.Values) (ProfileForm, []FieldError) {
	var f ProfileForm
	var errs []FieldError
	text := func(field string, max int, lines bool) string {
		s, err := formText(v.Get(field), max, lines)
		if err != nil {
			errs = append(errs, FieldError{field, err.Error()})
		}
		return s
	}
	f.StoreName = text("store_name", 64, false)
	f.StoreAddress = text("store_address", 200, false)
	f.ReceiptHeader = text("receipt_header", 500, true)
	f.ReceiptFooter = text("receipt_footer", 500, true)
	number := func(field string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(v.Get(field)))
		if err != nil || n < lo || n > hi {
			errs = append(errs, FieldError{field, fmt.Sprintf("a whole number of seconds from %d to %d", lo, hi)})
		}
		return n
	}
	f.OrderTimeout = number("order_timeout", 30, 7200)
	f.CPMTimeout = number("cpm_timeout", 10, 600)
	if f.Language = v.Get("language"); !slices.Contains(Languages, f.Language) {
		errs = append(errs, FieldError{"language", "choose one of the list"})
	}
	var err error
	if f.Methods, err = parseMethods(v.Get("methods")); err != nil {
		errs = append(errs, FieldError{"methods", err.Error()})
	}
	if f.Base, err = strconv.ParseInt(v.Get("base"), 10, 64); err != nil || f.Base <= 0 {
		errs = append(errs, FieldError{"base", "the form lost its version: reload the page"})
	}
	return f, errs
}

// formText is a text field with its line breaks made \n and the spaces
// around it trimmed: at most max characters, no control characters but
// line breaks where lines is set.
func formText(s string, max int, lines bool) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if len([]rune(s)) > max {
		return s, fmt.Errorf("at most %d characters", max)
	}
	for _, c := range s {
		if lines && c == '\n' {
			continue
		}
		if unicode.IsControl(c) || c == utf8.RuneError {
			return s, errors.New("no control characters (nor bytes that are no UTF-8)")
		}
	}
	return s, nil
}

// parseMethods reads the methods offered, one provider:code a line (or
// separated by commas or spaces); none offers every method of the
// terminal's providers. A method given twice counts once.
func parseMethods(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || unicode.IsSpace(c) })
	if len(fields) > 100 {
		return nil, fmt.Errorf("at most 100 methods")
	}
	known := len(payments.Methods()) > 0
	out := []string{}
	for _, id := range fields {
		if !methodID.MatchString(id) {
			return nil, fmt.Errorf("%q is no provider:code (say eftpay:ALIPAYHK)", id)
		}
		if _, err := payments.LookupMethodID(id); known && err != nil {
			return nil, fmt.Errorf("%q is no method of a provider this head office knows", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
