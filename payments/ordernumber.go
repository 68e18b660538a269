package payments

import (
	"fmt"
	"strconv"
	"time"
)

// MaxOrderNumber is the longest out_trade_no eftPay accepts (String(28)).
const MaxOrderNumber = 28

// MaxTIDLength leaves room in an order number for the date and a sequence of
// up to 10 digits.
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

// SequenceFloor is where a brand-new journal starts its order sequence:
// the seconds since 2024-01-01 at its creation. A terminal whose journal was
// wiped therefore starts above every number it could have used before (it
// would need more than one order per second, for ever, to catch up), and the
// sequence itself never depends on the clock afterwards.
func SequenceFloor(now time.Time) uint64 {
	d := now.Unix() - time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	if d < 0 {
		return 0
	}
	return uint64(d)
}

// OrderNumber builds an out_trade_no (also used for refund numbers): the tid,
// the local date as yyMMdd for people, and the journal's durable sequence,
// which is what makes it unique for ever. seq comes from the journal's
// counter, which only grows, whatever the clock does.
func OrderNumber(tid string, day time.Time, seq uint64) (string, error) {
	if err := ValidateTID(tid); err != nil {
		return "", err
	}
	s := strconv.FormatUint(seq, 10)
	if len(s) < 6 {
		s = fmt.Sprintf("%06d", seq)
	}
	no := tid + day.Format("060102") + s
	if len(no) > MaxOrderNumber {
		return "", fmt.Errorf("order number %q is longer than %d characters", no, MaxOrderNumber)
	}
	return no, nil
}
