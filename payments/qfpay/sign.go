package qfpay

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"sort"
	"strings"
)

// SignType selects the hash of X-QF-SIGN (header X-QF-SIGNTYPE).
type SignType string

// Sign types QFPay accepts. The zero value means MD5, QFPay's default.
const (
	SignMD5    SignType = "MD5"
	SignSHA256 SignType = "SHA256"
)

// Header names of the QFPay protocol.
const (
	HeaderAppCode  = "X-QF-APPCODE"
	HeaderSign     = "X-QF-SIGN"
	HeaderSignType = "X-QF-SIGNTYPE"
)

// ParseSignType reads an X-QF-SIGNTYPE value, in any letter case; empty
// means MD5.
func ParseSignType(s string) (SignType, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "MD5":
		return SignMD5, nil
	case "SHA256", "SHA-256":
		return SignSHA256, nil
	}
	return "", fmt.Errorf("qfpay: unknown sign type %q (use MD5 or SHA256)", s)
}

func (t SignType) newHash() hash.Hash {
	if t == SignSHA256 {
		return sha256.New()
	}
	return md5.New()
}

// SignBase is the string a request signature covers, before the key is
// appended: parameters sorted by name (byte order), k=v joined by &, raw
// values (not URL-encoded), empty values left out; only the first value of
// a repeated name counts. It contains customer data: never log it.
func SignBase(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if len(v) > 0 && v[0] != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k][0])
	}
	return b.String()
}

// Sign is X-QF-SIGN of a request: UPPER_HEX(hash(SignBase(params) + key)).
func Sign(params url.Values, key string, t SignType) string {
	h := t.newHash()
	h.Write([]byte(SignBase(params)))
	h.Write([]byte(key))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// SignBody is X-QF-SIGN of a notification: UPPER_HEX(hash(raw body + key)),
// over the bytes exactly as sent, never a re-serialised object.
func SignBody(body []byte, key string, t SignType) string {
	h := t.newHash()
	h.Write(body)
	h.Write([]byte(key))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// SignEqual compares two hex signatures in constant time, ignoring letter
// case (published examples use both cases).
func SignEqual(got, want string) bool {
	g := strings.ToUpper(strings.TrimSpace(got))
	w := strings.ToUpper(want)
	return len(g) == len(w) && subtle.ConstantTimeCompare([]byte(g), []byte(w)) == 1
}

// VerifyRequest checks a request's X-QF-SIGN over its parameters.
func VerifyRequest(params url.Values, key string, t SignType, sign string) bool {
	return sign != "" && SignEqual(sign, Sign(params, key, t))
}

// VerifyBody checks a notification's X-QF-SIGN over its raw body.
func VerifyBody(body []byte, key string, t SignType, sign string) bool {
	return sign != "" && SignEqual(sign, SignBody(body, key, t))
}
