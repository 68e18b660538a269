package payments

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// A provider is one package plus one registration: the package
// (payments/eftpay, payments/qfpay, ...) describes itself in a ProviderInfo
// and registers it from an init function; payments/providers imports every
// provider for that side effect. Everything that needs to know the
// providers (the method catalogue, amount ranges, the profile's settings
// and secrets, gateway construction, notification routes, the settings
// screen, the demo) asks this registry instead of naming them.

// ProviderInfo describes one provider.
type ProviderInfo struct {
	// Name is the provider's key: in method IDs ("eftpay:ALIPAYHK"), the
	// profile's table ([eftpay]), the journal and notification routes.
	Name Provider
	// Title is the provider's name for people ("eftPay").
	Title string
	// Range bounds the amounts the provider accepts.
	Range Range
	// Methods are the provider's rows of the catalogue, in the order they
	// are offered; each row's Provider is Name.
	Methods []Method
	// Settings are the fields of the provider's table in the profile, in
	// the order the settings screen shows them.
	Settings []Setting
	// HostKey names the setting that holds the provider's address (what a
	// connection check reaches); empty if none.
	HostKey string
	// Validate checks settings beyond Required and Choices (nil: nothing
	// more). It sees the settings of a profile being loaded or saved, also
	// when the provider is not fully configured.
	Validate func(Settings) error
	// New builds the provider's gateway from complete settings (Configured).
	New func(s Settings, env GatewayEnv) (Gateway, error)
	// PayableFor is how long an MPM order of a method stays payable when
	// the terminal asks for d (nil: d stands; see Method.PayableFor).
	PayableFor func(m Method, d time.Duration) time.Duration
	// CPM reports whether the provider's consumer-presented method m
	// accepts a customer code of wallet w, beside m's own wallet (nil:
	// only m.Wallet and, for an AnyWallet method, every wallet).
	CPM func(m Method, w Wallet) bool
}

// Setting is one field of a provider's table in the profile.
type Setting struct {
	Key      string // the TOML key ("base_url")
	Label    string // for people, in English ("Base URL"); screens may translate it
	Secret   bool   // never in the journal or a log; lives only in the config file
	Required bool   // the provider is configured only when it is set
	// Choices, when set, are the values a screen offers (what is accepted
	// is the provider's Validate); Default is the value an empty setting
	// means.
	Choices []string
	Default string
}

// Settings are one provider's settings by TOML key. A missing key and an
// empty value mean the same.
type Settings map[string]string

// Clone returns a copy of s that shares nothing with it.
func (s Settings) Clone() Settings {
	if s == nil {
		return nil
	}
	out := make(Settings, len(s))
	for k, v := range s {
		out[k] = v
	}
	return out
}

// GatewayEnv is what a gateway takes from the terminal rather than from
// its provider's settings.
type GatewayEnv struct {
	TID     string        // the terminal's id, sent where a request names none
	Logger  *slog.Logger  // nil: slog.Default()
	Timeout time.Duration // bounds one call; zero: the provider's default
}

var registry struct {
	sync.RWMutex
	list    []*ProviderInfo
	methods []Method // every provider's rows, in registration order
}

// RegisterProvider adds a provider to the registry. It panics when the
// description is incomplete or the name, or one of its method codes, is
// already registered: both are programming errors found at start-up.
func RegisterProvider(info ProviderInfo) {
	if info.Name == "" || strings.ContainsAny(string(info.Name), ":./ ") || info.New == nil {
		panic(fmt.Sprintf("payments: provider %q: a name without : . / or space, and New, are required", info.Name))
	}
	registry.Lock()
	defer registry.Unlock()
	for _, p := range registry.list {
		if p.Name == info.Name {
			panic(fmt.Sprintf("payments: provider %q registered twice", info.Name))
		}
	}
	seen := map[string]bool{}
	for _, s := range info.Settings {
		if s.Key == "" || seen[s.Key] {
			panic(fmt.Sprintf("payments: provider %q: setting %q empty or twice", info.Name, s.Key))
		}
		seen[s.Key] = true
	}
	codes := map[string]bool{}
	for _, m := range info.Methods {
		if m.Provider != info.Name || m.Code == "" || codes[m.Code] {
			panic(fmt.Sprintf("payments: provider %q: method %q of provider %q empty, foreign or twice", info.Name, m.Code, m.Provider))
		}
		codes[m.Code] = true
	}
	info.Methods = slices.Clone(info.Methods)
	info.Settings = slices.Clone(info.Settings)
	registry.list = append(registry.list, &info)
	registry.methods = append(registry.methods, info.Methods...)
}

// Providers lists the registered providers, in registration order.
func Providers() []ProviderInfo {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]ProviderInfo, len(registry.list))
	for i, p := range registry.list {
		out[i] = *p
		out[i].Methods = slices.Clone(p.Methods)
		out[i].Settings = slices.Clone(p.Settings)
	}
	return out
}

// find is the registered description of name, or nil; it is not copied,
// and never changes once registered.
func find(name Provider) *ProviderInfo {
	registry.RLock()
	defer registry.RUnlock()
	for _, p := range registry.list {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// LookupProvider finds a registered provider by name.
func LookupProvider(name Provider) (ProviderInfo, bool) {
	registry.RLock()
	defer registry.RUnlock()
	for _, p := range registry.list {
		if p.Name == name {
			info := *p
			info.Methods = slices.Clone(p.Methods)
			info.Settings = slices.Clone(p.Settings)
			return info, true
		}
	}
	return ProviderInfo{}, false
}

// ProviderNames lists the registered providers' names, in registration order.
func ProviderNames() []Provider {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Provider, len(registry.list))
	for i, p := range registry.list {
		out[i] = p.Name
	}
	return out
}

// ParseProvider accepts the name of a registered provider.
func ParseProvider(s string) (Provider, error) {
	names := ProviderNames()
	if slices.Contains(names, Provider(s)) {
		return Provider(s), nil
	}
	known := make([]string, len(names))
	for i, n := range names {
		known[i] = string(n)
	}
	return "", fmt.Errorf("provider %q is not known (use %s)", s, strings.Join(known, " or "))
}

// Title is the provider's name for people ("eftPay"); its key when it is
// not registered.
func (p Provider) Title() string {
	if info := find(p); info != nil && info.Title != "" {
		return info.Title
	}
	return string(p)
}

// RangeOf is the amount range provider p accepts (for an unregistered
// provider, which nothing can charge anyway: at least one minor unit).
func RangeOf(p Provider) Range {
	if info := find(p); info != nil {
		return info.Range
	}
	return Range{Min: 1}
}

// WidestRange is the smallest range that holds every registered
// provider's: an amount outside it is refused whatever the method.
func WidestRange() Range {
	var r Range
	for i, info := range Providers() {
		if i == 0 || info.Range.Min < r.Min {
			r.Min = info.Range.Min
		}
		if i == 0 || r.Max != 0 && (info.Range.Max == 0 || info.Range.Max > r.Max) {
			r.Max = info.Range.Max
		}
	}
	return r
}

// Range is the amount range m's provider accepts.
func (m Method) Range() Range { return RangeOf(m.Provider) }

// Setting finds one of the provider's settings by key.
func (info ProviderInfo) Setting(key string) (Setting, bool) {
	for _, s := range info.Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// Configured reports whether s holds every required setting of the provider.
func (info ProviderInfo) Configured(s Settings) bool {
	for _, f := range info.Settings {
		if f.Required && strings.TrimSpace(s[f.Key]) == "" {
			return false
		}
	}
	return true
}

// Missing lists the labels of the required settings s lacks.
func (info ProviderInfo) Missing(s Settings) []string {
	var out []string
	for _, f := range info.Settings {
		if f.Required && strings.TrimSpace(s[f.Key]) == "" {
			out = append(out, f.Label)
		}
	}
	return out
}

// Check refuses settings the provider does not have and whatever the
// provider's Validate refuses. Errors name the provider and the key, never
// a secret's value.
func (info ProviderInfo) Check(s Settings) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := info.Setting(k); !ok {
			return fmt.Errorf("%s has no setting %q (known: %s)", info.Name, k, strings.Join(info.keys(), ", "))
		}
	}
	if info.Validate != nil {
		if err := info.Validate(s); err != nil {
			return info.named(err)
		}
	}
	return nil
}

// named is err with the provider's name in front, unless it has it.
func (info ProviderInfo) named(err error) error {
	if strings.HasPrefix(err.Error(), string(info.Name)+":") {
		return err
	}
	return fmt.Errorf("%s: %w", info.Name, err)
}

func (info ProviderInfo) keys() []string {
	out := make([]string, len(info.Settings))
	for i, s := range info.Settings {
		out[i] = s.Key
	}
	return out
}

// NewGateway builds the provider's gateway from s, which must be complete.
func (info ProviderInfo) NewGateway(s Settings, env GatewayEnv) (Gateway, error) {
	if !info.Configured(s) {
		return nil, fmt.Errorf("%s: fill in %s", info.Title, strings.Join(info.Missing(s), ", "))
	}
	if err := info.Check(s); err != nil {
		return nil, err
	}
	g, err := info.New(s, env)
	if err != nil {
		return nil, info.named(err)
	}
	return g, nil
}

// Value is setting key of s, or the setting's Default when s has none.
func (info ProviderInfo) Value(s Settings, key string) string {
	if v := s[key]; v != "" {
		return v
	}
	f, _ := info.Setting(key)
	return f.Default
}
