package hq_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestHeadOfficeImports: head office, every package of it, links no
// window toolkit and none of the terminal's own parts (it shares only
// qrpos/payments, the registered providers' wire packages, with which
// qrpos/hq/relay verifies notifications and qrpos/hq/reconcile asks the
// providers for their records, the comparison qrpos/payments/reconcile,
// and the wire protocol with them); of the server's packages only
// qrpos/hq/store talks to PostgreSQL.
func TestHeadOfficeImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "qrpos/hq/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	out, err = exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "qrpos/payments/providers").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	providers := append(strings.Fields(string(out)), "qrpos/payments/reconcile")
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, "qrpos/") && !strings.HasPrefix(d, "qrpos/hq") && !slices.Contains(providers, d) {
			t.Errorf("head office depends on %s", d)
		}
	}
	for _, pkg := range []string{"qrpos/hq/api", "qrpos/hq/auth", "qrpos/hq/ingest", "qrpos/hq/relay", "qrpos/hq/merchants", "qrpos/hq/reconcile"} {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "jackc/pgx") {
			t.Errorf("%s imports pgx: the database is qrpos/hq/store's", pkg)
		}
	}
}
