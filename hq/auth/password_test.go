package auth

import (
	"strings"
	"testing"
)

// TestPasswordHash: a hash is salted (the same password hashes
// differently), takes Rounds iterations by default, and checks only the
// right password.
func TestPasswordHash(t *testing.T) {
	if def, err := HashPassword("correct horse", 0); err != nil || !strings.HasPrefix(def, "pbkdf2-sha256$600000$") || !CheckPassword(def, "correct horse") {
		t.Fatalf("default hash %q, %v: want 600000 rounds", def, err)
	}
	a, _ := HashPassword("correct horse", 1000)
	b, _ := HashPassword("correct horse", 1000)
	if a == b || !strings.HasPrefix(a, "pbkdf2-sha256$1000$") {
		t.Fatalf("hashes %q, %q: want salted", a, b)
	}
	if !CheckPassword(a, "correct horse") || CheckPassword(a, "correct horsE") || CheckPassword(a, "") {
		t.Fatal("CheckPassword does not tell the right password from wrong ones")
	}
	for _, bad := range []string{"", "pbkdf2-sha256$0$AAAA$AAAA", "md5$1$x$y", "pbkdf2-sha256$1$!!$AAAA", strings.Replace(a, "$1000$", "$1001$", 1)} {
		if CheckPassword(bad, "correct horse") {
			t.Errorf("CheckPassword(%q) accepted", bad)
		}
	}
}

// TestTokens: tokens carry their kind's prefix, differ, and only their
// hash is what head office keeps.
func TestTokens(t *testing.T) {
	t1, h1 := NewToken(TerminalPrefix)
	t2, h2 := NewToken(TerminalPrefix)
	if !strings.HasPrefix(t1, "hqt_") || len(t1) != 4+43 || t1 == t2 || string(h1) == string(h2) || string(Hash(t1)) != string(h1) {
		t.Fatalf("tokens %q %q", t1, t2)
	}
}
