package checkout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"qrpos/payments"
)

// A profile holds each registered provider's settings as its provider
// describes them (payments.ProviderInfo.Settings): the config file's table
// named after the provider ([eftpay], [qfpay]) and, in the journal, a
// top-level object of the same name with the same keys. Nothing here names
// a provider: a provider registered in a test is read, validated, stored
// and offered like the shipped ones.

// Settings are provider prov's settings in p (nil when it has none). The
// map is shared with p: change it with Set.
func (p Profile) Settings(prov payments.Provider) payments.Settings {
	return p.Providers[prov]
}

// Setting is one setting of provider prov ("" when unset).
func (p Profile) Setting(prov payments.Provider, key string) string {
	return p.Providers[prov][key]
}

// Set sets one setting of provider prov ("" unsets it). It copies the
// maps first, so copies of p made before keep their settings.
func (p *Profile) Set(prov payments.Provider, key, value string) {
	all := make(map[payments.Provider]payments.Settings, len(p.Providers)+1)
	for k, v := range p.Providers {
		all[k] = v
	}
	s := all[prov].Clone()
	if s == nil {
		s = payments.Settings{}
	}
	if value == "" {
		delete(s, key)
	} else {
		s[key] = value
	}
	all[prov] = s
	if len(s) == 0 {
		delete(all, prov)
	}
	p.Providers = nil
	if len(all) > 0 {
		p.Providers = all
	}
}

// Configured reports whether provider prov is registered and p holds every
// setting it requires.
func (p Profile) Configured(prov payments.Provider) bool {
	info, ok := payments.LookupProvider(prov)
	return ok && info.Configured(p.Providers[prov])
}

// ConfiguredProviders are the registered providers p has complete settings
// for, in registration order.
func (p Profile) ConfiguredProviders() []payments.ProviderInfo {
	var out []payments.ProviderInfo
	for _, info := range payments.Providers() {
		if info.Configured(p.Providers[info.Name]) {
			out = append(out, info)
		}
	}
	return out
}

// mapSecrets is a copy of p.Providers with every secret setting's value
// replaced by f(value) (dropped when f returns "").
func (p Profile) mapSecrets(f func(string) string) map[payments.Provider]payments.Settings {
	if p.Providers == nil {
		return nil
	}
	out := make(map[payments.Provider]payments.Settings, len(p.Providers))
	for prov, s := range p.Providers {
		c := s.Clone()
		if info, ok := payments.LookupProvider(prov); ok {
			for _, f2 := range info.Settings {
				if !f2.Secret || c[f2.Key] == "" {
					continue
				}
				if v := f(c[f2.Key]); v != "" {
					c[f2.Key] = v
				} else {
					delete(c, f2.Key)
				}
			}
		}
		if len(c) > 0 {
			out[prov] = c
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// validateProviders checks each provider's settings as its provider says.
func (p Profile) validateProviders() error {
	for _, prov := range slices.Sorted(maps.Keys(p.Providers)) {
		info, ok := payments.LookupProvider(prov)
		if !ok {
			return fmt.Errorf("provider %q is not known", prov)
		}
		if err := info.Check(p.Providers[prov]); err != nil {
			return err
		}
	}
	return nil
}

// decodeProviderTables reads the provider tables of the TOML file b into
// p.Providers, and refuses every key of the file that neither the Profile
// nor a registered provider has (md: the decoding of b into p).
func (p *Profile) decodeProviderTables(b []byte, md toml.MetaData) error {
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&raw); err != nil {
		return err
	}
	var unknown, hints []string
	hinted := map[string]bool{}
	for _, k := range md.Undecoded() {
		info, ok := payments.LookupProvider(payments.Provider(k[0]))
		switch {
		case !ok:
			unknown = append(unknown, k.String())
			if len(k) == 1 && !hinted[""] {
				if _, isTable := raw[k[0]].(map[string]any); isTable {
					hinted[""] = true
					hints = append(hints, "the providers are "+strings.Join(providerNames(), ", "))
				}
			}
		case len(k) == 1:
			// the provider's table itself
		case len(k) == 2:
			if _, ok := info.Setting(k[1]); ok {
				continue
			}
			unknown = append(unknown, k.String())
			if !hinted[k[0]] {
				hinted[k[0]] = true
				hints = append(hints, fmt.Sprintf("[%s] takes %s", info.Name, strings.Join(settingKeys(info), ", ")))
			}
		default:
			if _, ok := info.Setting(k[1]); !ok {
				unknown = append(unknown, k.String())
			}
		}
	}
	if len(unknown) > 0 {
		msg := "unknown keys: " + strings.Join(unknown, ", ")
		if len(hints) > 0 {
			msg += " (" + strings.Join(hints, "; ") + ")"
		}
		return fmt.Errorf("%s", msg)
	}
	p.Providers = nil
	for _, info := range payments.Providers() {
		v, ok := raw[string(info.Name)]
		if !ok {
			continue
		}
		t, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want a table of settings", info.Name)
		}
		for _, f := range info.Settings {
			v, ok := t[f.Key]
			if !ok {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s.%s: want a string in quotes", info.Name, f.Key)
			}
			p.Set(info.Name, f.Key, s)
		}
	}
	return nil
}

func providerNames() []string {
	var out []string
	for _, n := range payments.ProviderNames() {
		out = append(out, string(n))
	}
	return out
}

func settingKeys(info payments.ProviderInfo) []string {
	out := make([]string, len(info.Settings))
	for i, s := range info.Settings {
		out[i] = s.Key
	}
	return out
}

// profileFields is Profile without its JSON methods.
type profileFields Profile

// profileKeys are the top-level keys of a profile's own fields, which no
// provider may be named.
var profileKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeFor[Profile]()
	for i := range t.NumField() {
		for _, tag := range []string{"toml", "json"} {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get(tag), ","); name != "" && name != "-" {
				keys[name] = true
			}
		}
	}
	return keys
})

// MarshalJSON is the profile as the journal keeps it: its own fields, and
// one object per registered provider with every one of its settings (""
// when unset), named after the provider ("eftpay": {"base_url": ...}).
func (p Profile) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(profileFields(p))
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, info := range payments.Providers() {
		if profileKeys()[string(info.Name)] {
			return nil, fmt.Errorf("provider %q has the name of a profile setting", info.Name)
		}
		obj := make(map[string]string, len(info.Settings))
		for _, f := range info.Settings {
			obj[f.Key] = p.Setting(info.Name, f.Key)
		}
		if m[string(info.Name)], err = json.Marshal(obj); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a profile as MarshalJSON writes it (and as journals
// written before providers registered themselves hold it: the same
// shape). A provider's object may lack settings; settings and objects of
// providers not registered are left out.
func (p *Profile) UnmarshalJSON(b []byte) error {
	var f profileFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = Profile(f)
	p.Providers = nil
	for _, info := range payments.Providers() {
		raw, ok := m[string(info.Name)]
		if !ok || string(raw) == "null" {
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("%s: %w", info.Name, err)
		}
		for _, s := range info.Settings {
			p.Set(info.Name, s.Key, obj[s.Key])
		}
	}
	return nil
}
