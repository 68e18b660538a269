package hq_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// testRigs are head office's test helpers: imported by _test files only
// (TestHeadOfficeImports checks), so they may open a real terminal.
var testRigs = []string{"qrpos/hq/internal/hqtest"}

// TestHeadOfficeImports: head office, every package of it but its test
// rigs, links no window toolkit and none of the terminal's own parts (it
// shares only qrpos/payments, the registered providers' wire packages,
// with which qrpos/hq/relay verifies notifications and qrpos/hq/reconcile
// asks the providers for their records, the comparison
// qrpos/payments/reconcile, and the wire protocol with them); of the
// server's packages only qrpos/hq/store talks to PostgreSQL.
func TestHeadOfficeImports(t *testing.T) {
	pkgs := headOfficePackages(t)
	deps := goList(t, append([]string{"-deps", "-f", "{{.ImportPath}}"}, pkgs...)...)
	if len(deps) < 20 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	providers := append(goList(t, "-deps", "-f", "{{.ImportPath}}", "qrpos/payments/providers"), "qrpos/payments/reconcile")
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, "qrpos/") && !strings.HasPrefix(d, "qrpos/hq") && !slices.Contains(providers, d) {
			t.Errorf("head office depends on %s", d)
		}
		if slices.Contains(testRigs, d) {
			t.Errorf("head office links its test rig %s", d)
		}
	}
	for _, pkg := range []string{"qrpos/hq/api", "qrpos/hq/auth", "qrpos/hq/ingest", "qrpos/hq/relay", "qrpos/hq/merchants", "qrpos/hq/reconcile"} {
		for _, imp := range goList(t, "-f", `{{join .Imports " "}}`, pkg) {
			if strings.HasPrefix(imp, "github.com/jackc/pgx") {
				t.Errorf("%s imports %s: the database is qrpos/hq/store's", pkg, imp)
			}
		}
	}
}

// headOfficePackages lists qrpos/hq/... without its test rigs.
func headOfficePackages(t *testing.T) []string {
	var pkgs []string
	for _, p := range goList(t, "-f", "{{.ImportPath}}", "qrpos/hq/...") {
		if !slices.Contains(testRigs, p) {
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d head-office packages", len(pkgs))
	}
	return pkgs
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}
