package checkout

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The manager PIN is kept only as a salted slow hash:
// "pbkdf2-sha256$<iterations>$<salt>$<key>", salt and key in unpadded
// base64, 16 random bytes of salt, a 32-byte key.
const (
	pinScheme     = "pbkdf2-sha256"
	PINIterations = 600_000
	pinSaltBytes  = 16
	pinKeyBytes   = 32
)

// ErrBadPINHash is a stored PIN hash the terminal cannot read.
var ErrBadPINHash = errors.New("stored manager PIN hash is not readable")

// ValidatePIN accepts 4 to 12 digits.
func ValidatePIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 {
		return errors.New("a PIN has 4 to 12 digits")
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return errors.New("a PIN has digits only")
		}
	}
	return nil
}

// HashPIN returns the salted slow hash of pin to store in the profile.
// It takes about 0.1 s: call it off the UI goroutine.
func HashPIN(pin string) (string, error) {
	if err := ValidatePIN(pin); err != nil {
		return "", err
	}
	salt := make([]byte, pinSaltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, PINIterations, pinKeyBytes)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", pinScheme, PINIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPIN reports whether pin matches the stored hash. A hash with fewer
// iterations than PINIterations is refused (a weakened hash in an edited
// journal must not pass). Call it off the UI goroutine.
func VerifyPIN(stored, pin string) (bool, error) {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != pinScheme {
		return false, ErrBadPINHash
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < PINIterations || iter > 100*PINIterations {
		return false, ErrBadPINHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) < 8 {
		return false, ErrBadPINHash
	}
	want, err := enc.DecodeString(parts[3])
	if err != nil || len(want) < 16 {
		return false, ErrBadPINHash
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
