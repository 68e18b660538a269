package auth

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Rounds is the PBKDF2-HMAC-SHA256 iteration count of new password
// hashes (OWASP's figure for 2023; about 0.1 s on the reference machine).
const Rounds = 600_000

// MinPassword is the shortest password a user may have.
const MinPassword = 10

// HashPassword hashes password with a random salt and rounds iterations
// (0: Rounds) as "pbkdf2-sha256$ROUNDS$SALT$KEY".
func HashPassword(password string, rounds int) (string, error) {
	if rounds <= 0 {
		rounds = Rounds
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, rounds, 32)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", rounds, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password hashes to hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	rounds, err := strconv.Atoi(parts[1])
	if err != nil || rounds < 1 || rounds > 100_000_000 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[2])
	want, err2 := b64.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, rounds, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
