package eftpay

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
)

// Sign returns the signature eftPay expects over fields (providers.md 1.1):
// lowercase hex SHA-256 of secret followed, with no separator, by
// k1=v1&k2=v2&... over every key except "sign", sorted in byte order. A key
// with an empty value takes part as "k="; Client.Call leaves empty fields out
// of requests before signing, so body and signature always agree.
func Sign(secret string, fields map[string]string) string {
	sum := signSum(secret, fields)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// Verify reports whether fields["sign"] is the signature of the other fields,
// taken exactly as received (empty values included). Hex case is ignored.
func Verify(secret string, fields map[string]string) bool {
	got, ok := fields["sign"]
	if !ok || len(got) != 2*sha256.Size {
		return false
	}
	var gotSum [sha256.Size]byte
	if _, err := hex.Decode(gotSum[:], []byte(got)); err != nil {
		return false
	}
	want := signSum(secret, fields)
	return subtle.ConstantTimeCompare(gotSum[:], want[:]) == 1
}

func signSum(secret string, fields map[string]string) [sha256.Size]byte {
	var stack [512]byte
	return sha256.Sum256(appendSignBase(stack[:0], secret, fields))
}

// appendSignBase appends secret + the sorted k=v pairs. The result holds the
// secret: it is never logged or returned outside this package.
func appendSignBase(buf []byte, secret string, fields map[string]string) []byte {
	var stack [32]string
	keys := stack[:0]
	for k := range fields {
		if k != "sign" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // Go compares strings bytewise: the order eftPay wants
	buf = append(buf, secret...)
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, '&')
		}
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = append(buf, fields[k]...)
	}
	return buf
}
