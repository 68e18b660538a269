package payments

import (
	"fmt"
	"io"
	"time"
)

// MaxOrderNumber is the longest out_trade_no eftPay accepts (String(28)).
const MaxOrderNumber = 28

// MaxTIDLength leaves room in an order number for the date and the
// random part.
const MaxTIDLength = 12

// ValidateTID checks a terminal id: 1 to 12 ASCII letters or digits, since it
// starts every order number the terminal makes.
func ValidateTID(tid string) error {
	if tid == "" {
		return fmt.Errorf("tid is empty")
	}
	if len(tid) > MaxTIDLength {
		return fmt.Errorf("tid %q is longer than %d characters", tid, MaxTIDLength)
	}
	for i := 0; i < len(tid); i++ {
		c := tid[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return fmt.Errorf("tid %q: only letters and digits are allowed", tid)
		}
	}
	return nil
}

// RandomPartLength is the length of the random part of every order and
// refund number: 10 characters of 0-9A-Z (about 51 bits) after the tid and
// the date, so tid (12 at most) + yyMMdd + random fits eftPay's 28.
const RandomPartLength = 10

const numberAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// NewOrderNumber builds an out_trade_no (also used for refund numbers): the
// tid, the local date as yyMMdd for people, and 10 random characters read
// from rnd (crypto/rand.Reader in the journal). The random part, not a
// counter, is what makes numbers unique: a journal restored from a backup,
// deleted and recreated, or copied to a second terminal with the same tid
// would replay a counter, never these draws (two numbers of one tid on one
// day collide with odds about n²/2⁵²; a collision that still happens is
// caught by the provider's duplicate refusal and the engine takes a fresh
// number).
func NewOrderNumber(tid string, day time.Time, rnd io.Reader) (string, error) {
	if err := ValidateTID(tid); err != nil {
		return "", err
	}
	var b [RandomPartLength]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("order number: random part: %w", err)
	}
	// 252 is the largest multiple of 36 below 256: reject above it so
	// every character is equally likely.
	out := make([]byte, 0, RandomPartLength)
	for len(out) < RandomPartLength {
		for _, c := range b {
			if c < 252 && len(out) < RandomPartLength {
				out = append(out, numberAlphabet[int(c)%36])
			}
		}
		if len(out) < RandomPartLength {
			if _, err := io.ReadFull(rnd, b[:]); err != nil {
				return "", fmt.Errorf("order number: random part: %w", err)
			}
		}
	}
	no := tid + day.Format("060102") + string(out)
	if len(no) > MaxOrderNumber {
		return "", fmt.Errorf("order number %q is longer than %d characters", no, MaxOrderNumber)
	}
	return no, nil
}
