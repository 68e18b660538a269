package eftpay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxBody is the most the client reads of an answer; eftPay's objects are
// a few hundred bytes.
const MaxBody = 1 << 20

// HKT is Hong Kong time (UTC+8, no daylight saving since 1979): the zone of
// every time on eftPay's wire.
var HKT = time.FixedZone("HKT", 8*60*60)

const wireTimeLayout = "20060102150405"

// FormatTime renders t as eftPay's time field: yyyyMMddHHmmss, Hong Kong time.
func FormatTime(t time.Time) string { return t.In(HKT).Format(wireTimeLayout) }

// ParseTime reads eftPay's time field (yyyyMMddHHmmss, Hong Kong time).
func ParseTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(wireTimeLayout, s, HKT)
	if err != nil {
		return time.Time{}, fmt.Errorf("eftpay time %q: want yyyyMMddHHmmss", s)
	}
	return t, nil
}

// DecodeObject reads one eftPay JSON object into its fields, tolerantly:
// eftPay documents every value as a string, but real answers have carried
// numbers. A string value is its decoded text; any other value is its exact
// text as received (a number 0.10 stays "0.10", never "0.1"), null is empty.
// The result is therefore what the sender signed, whatever type it chose.
func DecodeObject(data []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("not a JSON object: null")
	}
	fields := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("field %q: %w", k, err)
			}
			fields[k] = s
		case 'n':
			fields[k] = ""
		default:
			fields[k] = string(v)
		}
	}
	return fields, nil
}

// EncodeObject renders fields as a JSON object of strings, keys sorted,
// without HTML escaping (a notify_url keeps its & as is).
func EncodeObject(fields map[string]string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(fields) // a map of strings always encodes
	return bytes.TrimRight(b.Bytes(), "\n")
}

// normaliseStatus turns a return_status as received ("00", "3", 0, "-22")
// into its table form ("00", "03", "-22"). ok is false when it is not an
// integer.
func normaliseStatus(s string) (code string, n int, ok bool) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", 0, false
	}
	if n >= 0 && n < 100 {
		return fmt.Sprintf("%02d", n), n, true
	}
	return strconv.Itoa(n), n, true
}
