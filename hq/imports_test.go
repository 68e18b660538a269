package hq_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHeadOfficeImports: head office, every package of it, links no
// window toolkit and none of the terminal's own parts (it shares only
// qrpos/payments and the wire protocol with them); of the server's
// packages only qrpos/hq/store talks to PostgreSQL.
func TestHeadOfficeImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "qrpos/hq/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, "qrpos/") && !strings.HasPrefix(d, "qrpos/hq") && d != "qrpos/payments" {
			t.Errorf("head office depends on %s", d)
		}
	}
	for _, pkg := range []string{"qrpos/hq/api", "qrpos/hq/auth", "qrpos/hq/ingest"} {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "jackc/pgx") {
			t.Errorf("%s imports pgx: the database is qrpos/hq/store's", pkg)
		}
	}
}
