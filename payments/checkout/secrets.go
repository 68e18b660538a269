package checkout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"qrpos/payments"
)

// The provider secrets, the local API's token and head office's token
// ([hq] token) live in the config file (mode 0600) and nowhere else: the
// journal's copy of the profile has them empty. A secret the manager
// changes on the terminal is written back to the file.

// secretKey is a secret of a profile as table and key of the file (table
// "": a key at the top of the file).
type secretKey struct{ table, key string }

// provider is the provider whose table holds the secret.
func (k secretKey) provider() payments.Provider { return payments.Provider(k.table) }

// String is the key as a TOML dotted key ("eftpay.secret", "api_token").
func (k secretKey) String() string {
	if k.table == "" {
		return k.key
	}
	return k.table + "." + k.key
}

// The secrets that are not a provider's setting.
var (
	apiTokenKey = secretKey{"", "api_token"}
	hqTokenKey  = secretKey{"hq", "token"}
)

// secretKeys are the secrets of a profile: every registered provider's
// secret settings, then the local API's token and head office's.
func secretKeys() []secretKey {
	var out []secretKey
	for _, info := range payments.Providers() {
		for _, s := range info.Settings {
			if s.Secret {
				out = append(out, secretKey{string(info.Name), s.Key})
			}
		}
	}
	return append(out, apiTokenKey, hqTokenKey)
}

// get is the secret's value in p ("" when unset).
func (k secretKey) get(p Profile) string {
	switch k {
	case apiTokenKey:
		return p.APIToken
	case hqTokenKey:
		return p.HQ.Token
	}
	return p.Setting(k.provider(), k.key)
}

// set sets the secret's value in p.
func (k secretKey) set(p *Profile, v string) {
	switch k {
	case apiTokenKey:
		p.APIToken = v
	case hqTokenKey:
		p.HQ.Token = v
	default:
		p.Set(k.provider(), k.key, v)
	}
}

// secretValue is one secret's value ("" keeps the file's).
type secretValue struct {
	secretKey
	value string
}

// seedHash hashes what a config file says, its secrets left out: comments,
// layout and the secrets' values do not count, so writing a secret back
// (SaveSecrets), or IT changing only a secret, does not make the next start
// re-seed the journal over the manager's edits.
func seedHash(b []byte) (string, error) {
	var m map[string]any
	if err := toml.Unmarshal(b, &m); err != nil {
		return "", err
	}
	for _, s := range secretKeys() {
		if s.table == "" {
			delete(m, s.key)
			continue
		}
		if t, ok := m[s.table].(map[string]any); ok {
			delete(t, s.key)
			if len(t) == 0 {
				delete(m, s.table)
			}
		}
	}
	canon, err := json.Marshal(m) // map keys sorted: the same settings hash the same
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}

// tomlError describes a TOML error without quoting the file: a parse
// error's message can hold a piece of the line, and the line a secret.
func tomlError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("not valid TOML at line %d, column %d", pe.Position.Line, pe.Position.Col)
	}
	return err.Error() // a type mismatch names the key and the types, never the value
}

// secretsMu serialises this process's rewrites of config files.
var secretsMu sync.Mutex

// SaveSecrets writes secrets into the config file at configPath, by dotted
// key ("eftpay.secret", "qfpay.client_key", "api_token": a provider's
// secret setting or the API token); an empty value keeps the file's. It
// changes only those values: the file's other settings, comments and
// layout stay, and so does its seed hash. The file is replaced atomically
// (a temporary file in the same directory, mode 0600 or stricter as
// before, synced, renamed over it); a file that already holds these
// secrets is not touched.
func SaveSecrets(configPath string, secrets map[string]string) error {
	var values []secretValue
	known := map[string]secretKey{}
	for _, k := range secretKeys() {
		known[k.String()] = k
	}
	for name, v := range secrets {
		k, ok := known[name]
		if !ok {
			return &ConfigError{configPath, fmt.Sprintf("%q is not a secret setting", name)}
		}
		values = append(values, secretValue{k, v})
	}
	return saveSecrets(configPath, values)
}

// saveSecrets is SaveSecrets for secrets given as secretValues.
func saveSecrets(configPath string, secrets []secretValue) error {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	path, err := filepath.EvalSymlinks(configPath) // rewrite the file, not a symlink to it
	if err != nil {
		return &ConfigError{configPath, err.Error()}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return &ConfigError{configPath, err.Error()}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return &ConfigError{configPath, err.Error()}
	}
	// The errors here say nothing of the file's content: they reach the
	// screen and the audit log, and the content holds the secrets.
	var want map[string]any
	if err := toml.Unmarshal(b, &want); err != nil {
		return &ConfigError{configPath, tomlError(err) + "; the secrets were not saved"}
	}
	values := map[string]string{}
	for _, sv := range secrets {
		s, v := sv.secretKey, sv.value
		if v == "" {
			continue
		}
		if s.table == "" {
			if want[s.key] != v {
				want[s.key] = v
				values[s.key] = v
			}
			continue
		}
		t, ok := want[s.table].(map[string]any)
		if !ok {
			t = map[string]any{}
			want[s.table] = t
		}
		if t[s.key] == v {
			continue
		}
		t[s.key] = v
		values[s.table+"."+s.key] = v
	}
	if len(values) == 0 {
		return nil
	}
	nb, err := setTOMLStrings(b, values)
	var got map[string]any
	if err == nil {
		err = toml.Unmarshal(nb, &got)
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		return &ConfigError{configPath, "the terminal cannot write the secrets into this file's layout; enter them in the file by hand"}
	}
	perm := fi.Mode().Perm() &^ 0o077
	if perm&0o600 == 0 {
		perm = 0o600
	}
	if err := replaceFile(path, nb, perm); err != nil {
		return &ConfigError{configPath, err.Error()}
	}
	return nil
}

// replaceFile replaces path with b atomically: a temporary file beside it
// with mode perm, synced, renamed over it, the directory synced.
func replaceFile(path string, b []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*") // mode 0600 from the start
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		if d, derr := os.Open(dir); derr == nil {
			d.Sync() // the rename survives a power cut
			d.Close()
		}
	}
	return nil
}

// setTOMLStrings sets string values in a TOML document, given by full key
// ("eftpay.secret", or "api_token" at the top), keeping everything else
// byte for byte: an existing value is replaced where it stands, a missing
// key is added at the end of its table's section (a top-level key after
// the last top-level key, before any table), a missing table at the end of
// the file. It knows enough TOML to find keys (tables, dotted and quoted
// keys, inline tables, arrays, every kind of string, comments); the caller
// checks the result.
func setTOMLStrings(b []byte, values map[string]string) ([]byte, error) {
	sc := &tomlScanner{b: b, spans: map[string][2]int{}, sections: map[string]int{}}
	if err := sc.document(); err != nil {
		return nil, err
	}
	nl := "\n"
	if bytes.Contains(b, []byte("\r\n")) {
		nl = "\r\n"
	}
	type edit struct {
		start, end int
		order      int // at the same place: lines in a section before new tables
		text       string
	}
	var edits []edit
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, full := range keys {
		v := tomlString(values[full])
		if sp, ok := sc.spans[full]; ok {
			edits = append(edits, edit{sp[0], sp[1], 0, v})
			continue
		}
		table, key, dotted := strings.Cut(full, ".")
		if !dotted {
			table, key = "", full
		}
		at, ok := sc.sections[table]
		order := 0
		text := key + " = " + v + nl
		if !ok {
			at, order, text = len(b), 1, nl+"["+table+"]"+nl+text
		}
		edits = append(edits, edit{at, at, order, text})
	}
	slices.SortStableFunc(edits, func(a, b edit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return a.order - b.order
	})
	var out bytes.Buffer
	last := 0
	for i, e := range edits {
		if e.start < last {
			return nil, errors.New("overlapping keys")
		}
		if e.start == len(b) && len(b) > 0 && b[len(b)-1] != '\n' && (i == 0 || edits[i-1].start != len(b)) {
			e.text = nl + e.text // the last line had no line end
		}
		out.Write(b[last:e.start])
		out.WriteString(e.text)
		last = e.end
	}
	out.Write(b[last:])
	return out.Bytes(), nil
}

// tomlString is s as a TOML basic string.
func tomlString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\u%04X`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// tomlScanner finds where keys' values stand in a TOML document.
type tomlScanner struct {
	b []byte
	i int
	// spans: the byte range of each key's value, by full dotted key.
	spans map[string][2]int
	// sections: for each [table], where a new line of it goes (after its
	// last key's line, or after its header); "" for the top-level keys
	// (after the last of them, before the first table).
	sections map[string]int
}

var errTOML = errors.New("not TOML the terminal can edit")

func (s *tomlScanner) document() error {
	var table []string
	tableName := ""
	s.sections[""] = 0
	for {
		s.skipSpace(true)
		if s.i >= len(s.b) {
			return nil
		}
		switch s.b[s.i] {
		case '#':
			s.skipComment()
			continue
		case '[':
			s.i++
			array := s.i < len(s.b) && s.b[s.i] == '['
			if array {
				s.i++
			}
			k, err := s.key()
			if err != nil {
				return err
			}
			if !s.expect(']') || array && !s.expect(']') {
				return errTOML
			}
			table, tableName = k, strings.Join(k, ".")
			if array {
				table, tableName = append([]string{"\x00"}, k...), "" // its keys are never ours
			}
			if err := s.lineEnd(); err != nil {
				return err
			}
			if tableName != "" {
				s.sections[tableName] = s.i
			}
			continue
		}
		k, err := s.key()
		if err != nil {
			return err
		}
		if !s.expect('=') {
			return errTOML
		}
		if err := s.value(append(slices.Clip(table), k...)); err != nil {
			return err
		}
		if err := s.lineEnd(); err != nil {
			return err
		}
		if tableName != "" {
			s.sections[tableName] = s.i
		}
		if table == nil {
			s.sections[""] = s.i
		}
	}
}

// skipSpace skips blanks, and line ends too if lines.
func (s *tomlScanner) skipSpace(lines bool) {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t':
		case '\r', '\n':
			if !lines {
				return
			}
		default:
			return
		}
		s.i++
	}
}

func (s *tomlScanner) skipComment() {
	for s.i < len(s.b) && s.b[s.i] != '\n' {
		s.i++
	}
}

// skipBlank skips blanks, line ends and comments (inside arrays).
func (s *tomlScanner) skipBlank() {
	for {
		s.skipSpace(true)
		if s.i < len(s.b) && s.b[s.i] == '#' {
			s.skipComment()
			continue
		}
		return
	}
}

func (s *tomlScanner) expect(c byte) bool {
	s.skipSpace(false)
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// lineEnd reads the rest of a line: blanks, a comment, the line end.
func (s *tomlScanner) lineEnd() error {
	s.skipSpace(false)
	if s.i < len(s.b) && s.b[s.i] == '#' {
		s.skipComment()
	}
	if s.i < len(s.b) && s.b[s.i] == '\r' {
		s.i++
	}
	if s.i < len(s.b) {
		if s.b[s.i] != '\n' {
			return errTOML
		}
		s.i++
	}
	return nil
}

// key reads a dotted key: bare, "basic" or 'literal' parts.
func (s *tomlScanner) key() ([]string, error) {
	var parts []string
	for {
		s.skipSpace(false)
		if s.i >= len(s.b) {
			return nil, errTOML
		}
		switch c := s.b[s.i]; {
		case c == '"' || c == '\'':
			start := s.i
			if err := s.str(); err != nil {
				return nil, err
			}
			raw := string(s.b[start+1 : s.i-1])
			if c == '"' && strings.ContainsRune(raw, '\\') {
				raw = "\x00" + raw // escaped: never one of our keys
			}
			parts = append(parts, raw)
		default:
			start := s.i
			for s.i < len(s.b) && isBareKey(s.b[s.i]) {
				s.i++
			}
			if s.i == start {
				return nil, errTOML
			}
			parts = append(parts, string(s.b[start:s.i]))
		}
		s.skipSpace(false)
		if s.i < len(s.b) && s.b[s.i] == '.' {
			s.i++
			continue
		}
		return parts, nil
	}
}

func isBareKey(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value reads the value of key path (nil: an array element) and records
// where it stands.
func (s *tomlScanner) value(path []string) error {
	s.skipSpace(false)
	start := s.i
	if s.i >= len(s.b) {
		return errTOML
	}
	switch s.b[s.i] {
	case '"', '\'':
		if err := s.str(); err != nil {
			return err
		}
	case '[':
		s.i++
		for {
			s.skipBlank()
			if s.i >= len(s.b) {
				return errTOML
			}
			if s.b[s.i] == ']' {
				s.i++
				break
			}
			if err := s.value(nil); err != nil {
				return err
			}
			s.skipBlank()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
	case '{':
		s.i++
		for {
			s.skipBlank()
			if s.i >= len(s.b) {
				return errTOML
			}
			if s.b[s.i] == '}' {
				s.i++
				break
			}
			k, err := s.key()
			if err != nil {
				return err
			}
			if !s.expect('=') {
				return errTOML
			}
			var sub []string
			if path != nil {
				sub = append(slices.Clip(path), k...)
			}
			if err := s.value(sub); err != nil {
				return err
			}
			s.skipBlank()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
	default: // number, boolean, date
		for s.i < len(s.b) && !strings.ContainsRune(" \t\r\n,]}#", rune(s.b[s.i])) {
			s.i++
		}
		if s.i == start {
			return errTOML
		}
	}
	if path != nil {
		s.spans[strings.Join(path, ".")] = [2]int{start, s.i}
	}
	return nil
}

// str reads a string of any of TOML's four kinds.
func (s *tomlScanner) str() error {
	q := s.b[s.i]
	multi := bytes.HasPrefix(s.b[s.i:], []byte{q, q, q})
	if multi {
		s.i += 3
	} else {
		s.i++
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '\\' && q == '"':
			s.i += 2
			continue
		case c == '\n' && !multi:
			return errTOML
		case c == q && !multi:
			s.i++
			return nil
		case c == q && bytes.HasPrefix(s.b[s.i:], []byte{q, q, q}):
			s.i += 3
			for k := 0; k < 2 && s.i < len(s.b) && s.b[s.i] == q; k++ { // up to two quotes end the content
				s.i++
			}
			return nil
		}
		s.i++
	}
	return errTOML
}
