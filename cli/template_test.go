package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// templatePath is the terminal.toml the installers install (placeholders
// filled in by assets/packaging/scripts/package.sh).
const templatePath = "../assets/packaging/terminal.toml.in"

// fillTemplate fills the template's placeholders as the Windows installer
// does, with the journal value given.
func fillTemplate(t *testing.T, journal string) string {
	t.Helper()
	b, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("@INSTALLER@", "test", "@JOURNAL@", journal, "@PROTECTION@", "test",
		"@SCANNER_HINT@", "test", "@PRINTER_HINT@", "test").Replace(string(b))
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "terminal.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTemplateMethodsExist: every "provider:code" the installed
// configuration names, in its comments too, is a method of the catalogue,
// and its example methods line, switched on, loads.
func TestTemplateMethodsExist(t *testing.T) {
	text := fillTemplate(t, `"pos.db"`)
	ids := regexp.MustCompile(`"((?:eftpay|qfpay):[A-Za-z0-9_]+)"`).FindAllStringSubmatch(text, -1)
	if len(ids) < 3 {
		t.Fatalf("the template names %d methods; the test expects its example methods line", len(ids))
	}
	for _, id := range ids {
		if _, err := payments.LookupMethodID(id[1]); err != nil {
			t.Errorf("the template suggests %s: %v", id[1], err)
		}
	}
	on := regexp.MustCompile(`(?m)^# methods = `).ReplaceAllString(text, "methods = ")
	if on == text {
		t.Fatal("no example methods line (# methods = [...]) in the template")
	}
	p, err := checkout.LoadProfileFile(writeConfig(t, on))
	if err != nil {
		t.Fatalf("the template with its example methods does not load: %v", err)
	}
	if len(p.Methods) != len(ids) {
		t.Fatalf("methods %v, the template names %d", p.Methods, len(ids))
	}
}

// TestTemplateWindowsPath: the template tells IT to write Windows paths in
// single quotes, and such a path loads as written (in double quotes "\P"
// is an invalid TOML escape).
func TestTemplateWindowsPath(t *testing.T) {
	const want = `C:\ProgramData\QR POS\pos.db`
	text := fillTemplate(t, `'`+want+`'`)
	if !strings.Contains(text, `#   journal = '`+want+`'`) {
		t.Fatal("the template does not show a Windows journal path in single quotes")
	}
	p, err := checkout.LoadProfileFile(writeConfig(t, text))
	if err != nil || p.Journal != want {
		t.Fatalf("journal %q, %v; want %q", p.Journal, err, want)
	}
	if _, err := checkout.LoadProfileFile(writeConfig(t, fillTemplate(t, `"`+want+`"`))); err == nil {
		t.Fatal("a Windows path in double quotes loaded: the advice would be needless")
	}
}
