package api

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"qrpos/payments"
)

// maxProfile is the largest profile body accepted.
const maxProfile = 256 << 10

// secretNames are settings that are secrets wherever they appear: the
// terminal keeps them in its config file only, and head office neither
// sets nor shows them.
var secretNames = map[string]bool{
	"secret": true, "client_key": true, "api_key": true, "api_token": true, "token": true,
	"manager_pin_hash": true, "pin": true, "password": true, "private_key": true,
}

// secret reports whether a setting named key is a secret: by name, or a
// registered provider's setting marked secret.
func secret(key string) bool {
	k := strings.ToLower(key)
	if secretNames[k] || strings.Contains(k, "secret") || strings.Contains(k, "password") {
		return true
	}
	for _, p := range payments.Providers() {
		if s, ok := p.Setting(key); ok && s.Secret {
			return true
		}
	}
	return false
}

// ParseProfileEdit reads a PUT profile body: {"settings": {...}} for
// terminal tid. Settings naming another tid, or setting a secret, are
// refused.
func ParseProfileEdit(data []byte, tid string) (json.RawMessage, error) {
	var e ProfileEdit
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, &QueryError{"body", `want {"settings": {...}}`}
	}
	var settings map[string]any
	dec := json.NewDecoder(bytes.NewReader(e.Settings))
	dec.UseNumber()
	if err := dec.Decode(&settings); err != nil || settings == nil {
		return nil, &QueryError{"settings", "want a JSON object"}
	}
	if t, ok := settings["tid"]; ok && t != tid {
		return nil, &QueryError{"settings.tid", "not this terminal's tid"}
	}
	if found := secrets("settings", settings); len(found) > 0 {
		return nil, &QueryError{found[0], "provider secrets are set on the terminal, never at head office"}
	}
	out, err := json.Marshal(settings) // one value a key: what was checked is what is kept
	if err != nil || strings.Contains(string(out), `\u0000`) {
		return nil, &QueryError{"settings", `a JSON object with no \u0000`}
	}
	return out, nil
}

// secrets lists the paths of the secrets set (not empty) in v.
func secrets(path string, v any) []string {
	var found []string
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if secret(k) && v[k] != "" && v[k] != nil {
				found = append(found, path+"."+k)
			}
			found = append(found, secrets(path+"."+k, v[k])...)
		}
	case []any:
		for _, x := range v {
			found = append(found, secrets(path+"[]", x)...)
		}
	}
	return found
}

// redactJSON returns a JSON object with every secret's value replaced by
// "" (a terminal never sends them; this makes sure no page shows one).
// Anything that is not an object comes back as it is.
func redactJSON(raw json.RawMessage) json.RawMessage {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return raw
	}
	if len(secrets("", v)) == 0 {
		return raw
	}
	out, err := json.Marshal(redact(v))
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return out
}

func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secret(k) && x != "" && x != nil {
				v[k] = ""
			} else {
				v[k] = redact(x)
			}
		}
	case []any:
		for i, x := range v {
			v[i] = redact(x)
		}
	}
	return v
}
