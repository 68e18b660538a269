// Package merchants is head office's file of merchant credentials: the
// keys head office verifies the providers' notifications with before it
// relays them to terminals (qrpos/hq/relay). Each [merchant.NAME] table
// names a provider and holds the same settings as that provider's table in
// a terminal's profile, read and checked through the provider registry
// (payments.ProviderInfo), so a provider added to the registry is a
// merchant's provider too; its optional stores and tids say which
// terminals' sales the credential takes (serves.go), for head office's
// reconciliation with the provider (qrpos/hq/reconcile).
//
// The file holds secrets: it is refused when others can read it, its
// values never reach PostgreSQL, a page or a log, and no error quotes one.
// It imports qrpos/payments, the registered providers
// (qrpos/payments/providers), the TOML reader and the standard library;
// it must not import the rest of head office, pgx or the terminal's
// packages.
package merchants

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"qrpos/payments"
	_ "qrpos/payments/providers" // the providers a merchant may name
)

// Merchant is one merchant credential.
type Merchant struct {
	Name     string // the table's name
	Provider payments.Provider
	// NotifyName is the last part of the notify_url of the merchant's
	// terminals (wire.NotifyPath + NotifyName; the engine appends "/" and
	// the provider): the table's notify_name, by default its name. Tables
	// of different providers may share one, so that a terminal using both
	// providers has one notify_url.
	NotifyName string
	Settings   payments.Settings // the provider's settings; some are secret
	// Stores and TIDs are the terminals whose sales this credential
	// takes (the table's stores and tids, serves.go); neither: every
	// terminal no other merchant of the provider names.
	Stores []string
	TIDs   []string
}

// String names the merchant without its secrets.
func (m Merchant) String() string { return m.Name + " (" + string(m.Provider) + ")" }

// Notifier is a gateway whose provider sends notifications, as
// qrpos/payments/checkout.Notifier describes it: its handler verifies
// each one with the merchant's key, answers the provider as it expects and
// hands the verified notification to deliver.
type Notifier interface {
	NotificationHandler(deliver func(context.Context, payments.Notification) error) http.Handler
}

// Gateway builds the merchant's gateway (env: the logger and timeout;
// head office sends no requests with it) as a Notifier.
func (m Merchant) Gateway(env payments.GatewayEnv) (Notifier, error) {
	info, ok := payments.LookupProvider(m.Provider)
	if !ok {
		return nil, fmt.Errorf("merchant %s: provider %q is not known", m.Name, m.Provider)
	}
	g, err := info.NewGateway(m.Settings, env)
	if err != nil {
		return nil, fmt.Errorf("merchant %s: %w", m.Name, err)
	}
	n, ok := g.(Notifier)
	if !ok {
		return nil, fmt.Errorf("merchant %s: %s sends no notifications", m.Name, info.Title)
	}
	return n, nil
}

// MaxNameLength bounds a merchant's name (a path segment of a URL).
const MaxNameLength = 64

// ValidName reports whether name may name a merchant: 1 to 64 ASCII
// letters, digits, '-' or '_' (it is a segment of the notify_url).
func ValidName(name string) bool {
	if name == "" || len(name) > MaxNameLength {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Load reads the merchants file at path. It refuses a file others may
// read (on systems with Unix modes), and whatever Parse refuses.
func Load(path string) ([]Merchant, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("merchants file: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("merchants file %s: mode %04o lets others read its secrets; fix it with: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("merchants file: %w", err)
	}
	list, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("merchants file %s: %w", path, err)
	}
	return list, nil
}

// Parse reads a merchants file: only [merchant.NAME] tables, each with
// provider = "<a registered provider>", optionally notify_name, stores and
// tids (serves.go), and that provider's settings, all strings, complete
// and valid as the provider says, and a gateway that receives
// notifications; no two tables of one provider share a notify_name, a
// store or a tid, nor both serve every terminal. The merchants come sorted
// by name. Errors name the merchant and the key, never a setting's value.
func Parse(b []byte) ([]Merchant, error) {
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&raw); err != nil {
		return nil, errors.New(tomlError(err))
	}
	for k := range raw {
		if k != "merchant" {
			return nil, fmt.Errorf("unknown key %q: the file holds only [merchant.NAME] tables", k)
		}
	}
	tables, ok := raw["merchant"].(map[string]any)
	if !ok || len(tables) == 0 {
		return nil, errors.New("no merchant: add a [merchant.NAME] table with provider and its settings")
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]Merchant, 0, len(names))
	routes := map[string]string{} // notify_name + "/" + provider -> the table
	for _, name := range names {
		m, err := parseMerchant(name, tables[name])
		if err != nil {
			return nil, err
		}
		route := m.NotifyName + "/" + string(m.Provider)
		if other, dup := routes[route]; dup {
			return nil, fmt.Errorf("merchant.%s and merchant.%s: both receive %s notifications at %s: give one another notify_name", other, name, m.Provider, m.NotifyName)
		}
		routes[route] = name
		out = append(out, m)
	}
	if err := checkServed(out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseMerchant reads and checks one [merchant.NAME] table.
func parseMerchant(name string, v any) (Merchant, error) {
	if !ValidName(name) {
		return Merchant{}, fmt.Errorf("merchant %q: a name has 1 to %d letters, digits, - or _", name, MaxNameLength)
	}
	t, ok := v.(map[string]any)
	if !ok {
		return Merchant{}, fmt.Errorf("merchant.%s: want a table", name)
	}
	prov, ok := t["provider"].(string)
	if !ok {
		return Merchant{}, fmt.Errorf("merchant.%s: provider = %q is required", name, strings.Join(providerNames(), `" or "`))
	}
	p, err := payments.ParseProvider(prov)
	if err != nil {
		return Merchant{}, fmt.Errorf("merchant.%s: %w", name, err)
	}
	info, _ := payments.LookupProvider(p)
	m := Merchant{Name: name, Provider: p, NotifyName: name, Settings: payments.Settings{}}
	if v, ok := t["notify_name"]; ok {
		if s, ok := v.(string); !ok || !ValidName(s) {
			return Merchant{}, fmt.Errorf("merchant.%s.notify_name: 1 to %d letters, digits, - or _ in quotes", name, MaxNameLength)
		}
		m.NotifyName = v.(string)
	}
	if m.Stores, m.TIDs, err = parseServed(name, t); err != nil {
		return Merchant{}, err
	}
	for k, v := range t {
		if k == "provider" || k == "notify_name" || k == keyStores || k == keyTIDs {
			continue
		}
		if _, known := info.Setting(k); !known {
			return Merchant{}, fmt.Errorf("merchant.%s: %s has no setting %q (known: %s)", name, info.Name, k, strings.Join(settingKeys(info), ", "))
		}
		s, ok := v.(string)
		if !ok {
			return Merchant{}, fmt.Errorf("merchant.%s.%s: want a string in quotes", name, k)
		}
		if s != "" {
			m.Settings[k] = s
		}
	}
	if missing := info.Missing(m.Settings); len(missing) > 0 {
		return Merchant{}, fmt.Errorf("merchant.%s: fill in %s", name, strings.Join(missing, ", "))
	}
	if _, err := m.Gateway(payments.GatewayEnv{}); err != nil {
		return Merchant{}, err
	}
	return m, nil
}

// tomlError says where the file is not TOML, without the parser's message:
// that may quote the file's text, a secret perhaps.
func tomlError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("not TOML at line %d, column %d: check that line's quotes, brackets and key names", pe.Position.Line, pe.Position.Col)
	}
	return "not TOML"
}

func providerNames() []string {
	var out []string
	for _, n := range payments.ProviderNames() {
		out = append(out, string(n))
	}
	return out
}

func settingKeys(info payments.ProviderInfo) []string {
	out := []string{"provider", "notify_name", keyStores, keyTIDs}
	for _, s := range info.Settings {
		out = append(out, s.Key)
	}
	return out
}
