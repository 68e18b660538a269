package checkout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/storage"
)

// Profile is a terminal's settings, per tid. A TOML file seeds it; the copy
// in the journal is what the terminal runs with, and what the manager edits.
type Profile struct {
	TID           string `toml:"tid" json:"tid"`
	StoreName     string `toml:"store_name" json:"store_name"`
	StoreAddress  string `toml:"store_address" json:"store_address"`
	ReceiptHeader string `toml:"receipt_header" json:"receipt_header"`
	ReceiptFooter string `toml:"receipt_footer" json:"receipt_footer"`
	Currency      string `toml:"currency" json:"currency"`
	Journal       string `toml:"journal" json:"journal"`
	NotifyListen  string `toml:"notify_listen" json:"notify_listen"`
	NotifyURL     string `toml:"notify_url" json:"notify_url"`
	Language      string `toml:"language" json:"language"` // "", "en", "zh-Hant", "zh-Hans"
	// OrderTimeout in seconds (default 120).
	OrderTimeout int `toml:"order_timeout" json:"order_timeout"`
	// CPMTimeout in seconds: how long a pending customer-code payment is
	// queried before it is reversed (default 45).
	CPMTimeout int `toml:"cpm_timeout" json:"cpm_timeout"`
	// Methods offered, as "provider:code" ("eftpay:ALIPAYHK", "qfpay:800008");
	// empty offers every method of the configured providers.
	Methods []string `toml:"methods" json:"methods"`
	// ManagerPIN is a salted slow hash, never the PIN (set by the UI).
	ManagerPIN string `toml:"manager_pin_hash" json:"manager_pin_hash"`

	// APIListen is where the local API for a till also listens on TCP
	// ("0.0.0.0:8787"); empty: only on the Unix socket next to the journal.
	APIListen string `toml:"api_listen" json:"api_listen"`
	// APIToken is the bearer token a till must send over TCP. A secret: it
	// lives only in the config file (the journal's copy has it empty).
	APIToken string `toml:"api_token" json:"api_token"`
	// APIRefunds lets the API refund without the manager PIN (a till-level
	// permission); otherwise every API refund carries the PIN.
	APIRefunds bool `toml:"api_refunds" json:"api_refunds"`

	// HQ is the way to head office ([hq] in the file): empty, the terminal
	// stands alone.
	HQ HQProfile `toml:"hq" json:"hq,omitzero"`

	// Chime: a short sound when a sale is paid. Unset (a profile from
	// before the setting) is on; read it with ChimeOn, set it with SetChime.
	Chime *bool `toml:"chime" json:"chime,omitempty"`

	// NewSaleAfter: seconds a paid sale's result stays on the cashier's
	// screen before the next sale comes up (0: the screen's default, 8 s;
	// -1: until the cashier taps New sale).
	NewSaleAfter int `toml:"new_sale_after" json:"new_sale_after,omitempty"`

	// Providers are the registered providers' settings by provider name:
	// the file's [eftpay], [qfpay], ... tables and the journal's "eftpay",
	// "qfpay", ... objects (see profileproviders.go). Read them with
	// Settings or Setting, change them with Set: the maps are shared by
	// copies of the profile. Secret settings live only in the config file.
	Providers map[payments.Provider]payments.Settings `toml:"-" json:"-"`

	Scanner ScannerProfile `toml:"scanner" json:"scanner"`
	Printer PrinterProfile `toml:"printer" json:"printer"`

	// SeedHash is the hash of the file this profile was last seeded from,
	// its secrets left out (see seedHash).
	SeedHash string `toml:"-" json:"seed_hash"`
	// ConfigPath is the file the profile was loaded from (LoadProfileFile):
	// its secrets live there, never in the journal. SaveProfile writes a
	// secret the manager changed back to it. Not stored.
	ConfigPath string `toml:"-" json:"-"`

	// legacySeedHash is the file's hash as SeedHash was computed before
	// secrets left the journal (every byte of the file): a journal seeded
	// then is not re-seeded just because the hash changed.
	legacySeedHash string
}

// HQProfile is where the terminal uploads its journal's outbox and picks
// up the profiles head office makes for it (qrpos/hq/wire).
type HQProfile struct {
	// URL is head office's base URL: https://..., or http:// to a
	// loopback host only.
	URL string `toml:"url" json:"url"`
	// Token is the terminal's token from pos hq enrol. A secret: it lives
	// only in the config file (the journal's copy has it empty).
	Token string `toml:"token" json:"token"`
}

// ScannerProfile says where the barcode scanner is.
type ScannerProfile struct {
	Port   string `toml:"port" json:"port"` // /dev/ttyACM0, COM3, usb:VID:PID[:SERIAL]; empty: keyboard wedge only
	Baud   int    `toml:"baud" json:"baud"`
	Suffix string `toml:"suffix" json:"suffix"` // CR, LF, CRLF or auto
}

// PrinterProfile says where the receipt printer is and how it speaks.
type PrinterProfile struct {
	// Port: empty for the virtual printer; a serial port (/dev/ttyUSB0,
	// COM3, usb:VID:PID[:SERIAL]), a USB printer (/dev/usb/lp0,
	// usblp:VID:PID[:SERIAL]), tcp://HOST:9100 or windows:Printer Name.
	Port     string `toml:"port" json:"port"`
	Baud     int    `toml:"baud" json:"baud"`
	Flow     string `toml:"flow" json:"flow"`         // none, rtscts, xonxoff
	Width    int    `toml:"width" json:"width"`       // 32, 42 or 48 columns
	Encoding string `toml:"encoding" json:"encoding"` // big5 or gb18030
	// Chinese: "native" (or empty) in the printer's own font, "raster"
	// drawn as images, for printers without a Chinese font.
	Chinese string `toml:"chinese" json:"chinese,omitempty"`
	// Drawer: "after_sale" pulses the cash drawer after a paid sale's
	// receipt; "never" (or empty) does not.
	Drawer string `toml:"drawer" json:"drawer,omitempty"`
}

// Printer drawer settings.
const (
	DrawerAfterSale = "after_sale"
	DrawerNever     = "never"
)

// validate checks the port's form and the chinese and drawer settings
// (empty: the defaults).
func (pp PrinterProfile) validate() error {
	if pp.Port != "" {
		if _, err := printer.ParseTarget(pp.Port); err != nil {
			return err
		}
	}
	if pp.Chinese != "" && pp.Chinese != "native" && pp.Chinese != "raster" {
		return fmt.Errorf("printer chinese %q: use native or raster", pp.Chinese)
	}
	if pp.Drawer != "" && pp.Drawer != DrawerAfterSale && pp.Drawer != DrawerNever {
		return fmt.Errorf("printer drawer %q: use after_sale or never", pp.Drawer)
	}
	return nil
}

// Validate checks the profile and fills in defaults.
func (p *Profile) Validate() error {
	if err := payments.ValidateTID(p.TID); err != nil {
		return err
	}
	if p.Currency == "" {
		p.Currency = string(payments.DefaultCurrency)
	}
	c, err := payments.ParseCurrency(p.Currency)
	if err != nil {
		return err
	}
	p.Currency = string(c)
	if p.OrderTimeout == 0 {
		p.OrderTimeout = 120
	}
	if p.NewSaleAfter < -1 || p.NewSaleAfter > 600 {
		return fmt.Errorf("new_sale_after %d s: use 1 to 600, 0 for the default or -1 for never", p.NewSaleAfter)
	}
	if p.OrderTimeout < 30 || p.OrderTimeout > 7200 {
		return fmt.Errorf("order_timeout %d s: use 30 to 7200", p.OrderTimeout)
	}
	if p.CPMTimeout == 0 {
		p.CPMTimeout = 45
	}
	if p.CPMTimeout < 10 || p.CPMTimeout > 600 {
		return fmt.Errorf("cpm_timeout %d s: use 10 to 600", p.CPMTimeout)
	}
	for _, id := range p.Methods {
		if _, err := payments.LookupMethodID(id); err != nil {
			return err
		}
	}
	if err := p.validateProviders(); err != nil {
		return err
	}
	if p.Printer.Width == 0 {
		p.Printer.Width = 48
	}
	if p.Printer.Width != 32 && p.Printer.Width != 42 && p.Printer.Width != 48 {
		return fmt.Errorf("printer width %d: use 32, 42 or 48", p.Printer.Width)
	}
	if p.Printer.Encoding == "" {
		p.Printer.Encoding = "big5"
	}
	if p.Printer.Encoding != "big5" && p.Printer.Encoding != "gb18030" {
		return fmt.Errorf("printer encoding %q: use big5 or gb18030", p.Printer.Encoding)
	}
	if err := p.Printer.validate(); err != nil {
		return err
	}
	if err := p.validateHQ(); err != nil {
		return err
	}
	return p.validateAPI()
}

// ChimeOn reports whether the terminal chimes when a sale is paid (the
// default).
func (p Profile) ChimeOn() bool { return p.Chime == nil || *p.Chime }

// SetChime switches the paid chime on or off.
func (p *Profile) SetChime(on bool) { p.Chime = &on }

// MinAPITokenLen is the shortest api_token accepted (pos api-token prints
// 43 characters).
const MinAPITokenLen = 24

// validateAPI checks api_listen and api_token. Whether a listener has its
// token is checked where the token is present (LoadProfileFile,
// CheckAPIToken): the journal's copy of the profile never holds it.
func (p *Profile) validateAPI() error {
	if p.APIListen != "" {
		host, port, err := net.SplitHostPort(p.APIListen)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 1 || n > 65535 || strings.ContainsAny(host, " /") {
			return fmt.Errorf("api_listen %q: use host:port, e.g. \"0.0.0.0:8787\" (empty: the Unix socket only)", p.APIListen)
		}
	}
	if p.APIToken != "" {
		if len(p.APIToken) < MinAPITokenLen {
			return fmt.Errorf("api_token has %d characters: use at least %d (pos api-token prints one)", len(p.APIToken), MinAPITokenLen)
		}
		for i := 0; i < len(p.APIToken); i++ {
			if c := p.APIToken[i]; c <= ' ' || c > '~' {
				return errors.New("api_token: use printable ASCII without spaces (pos api-token prints one)")
			}
		}
	}
	return nil
}

// CheckAPIToken refuses a TCP listener (api_listen) without its token: a
// till on the shop's LAN must authenticate. Call it on a profile that
// holds its secrets (from the file).
func (p Profile) CheckAPIToken() error {
	if p.APIListen != "" && p.APIToken == "" {
		return fmt.Errorf("api_listen %q needs api_token (at least %d characters; pos api-token prints one)", p.APIListen, MinAPITokenLen)
	}
	return nil
}

// Offered lists the methods this terminal offers: the profile's list, or
// every method of the configured providers, in catalogue order. Token
// methods need hardware the terminal does not have and are left out.
func (p Profile) Offered() []payments.Method {
	var out []payments.Method
	want := map[string]bool{}
	for _, id := range p.Methods {
		want[id] = true
	}
	for _, m := range payments.Methods() {
		if m.Mode == payments.Token {
			continue
		}
		if !p.Configured(m.Provider) {
			continue
		}
		if len(want) > 0 && !want[m.ID()] {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Redacted is the profile with every secret masked, for logs and output.
func (p Profile) Redacted() Profile {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return payments.MaskSecret(s)
	}
	p.Providers = p.mapSecrets(mask)
	p.APIToken = mask(p.APIToken)
	p.HQ.Token = mask(p.HQ.Token)
	if p.ManagerPIN != "" {
		p.ManagerPIN = "(set)"
	}
	return p
}

// ConfigError is a configuration file the terminal refuses.
type ConfigError struct {
	Path   string
	Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("config %s: %s", e.Path, e.Reason) }

// LoadProfileFile reads a TOML profile. On Unix it refuses a file that
// others can read or write (it holds secrets), saying how to fix it.
func LoadProfileFile(path string) (Profile, error) {
	var p Profile
	fi, err := os.Stat(path)
	if err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return p, &ConfigError{path, fmt.Sprintf("mode %04o lets others read its secrets; fix it with: chmod 600 %s", fi.Mode().Perm(), path)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&p)
	if err != nil {
		return p, &ConfigError{path, tomlError(err)}
	}
	if err := p.decodeProviderTables(b, md); err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	if err := p.Validate(); err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	if err := p.CheckAPIToken(); err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	if err := p.CheckHQToken(); err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	if p.SeedHash, err = seedHash(b); err != nil {
		return p, &ConfigError{path, err.Error()}
	}
	sum := sha256.Sum256(b)
	p.legacySeedHash = hex.EncodeToString(sum[:])
	p.ConfigPath = path
	if abs, err := filepath.Abs(path); err == nil {
		p.ConfigPath = abs
	}
	return p, nil
}

// SyncProfile makes the journal's profile for file.TID current and returns
// the profile to run with. A file that changed since it last seeded the
// journal (or a journal with no profile) replaces the journal's copy, the
// manager PIN set on the terminal surviving; otherwise the journal's copy,
// with the manager's edits, wins. Either way the secrets come from the file
// (see SaveProfile). file comes from LoadProfileFile.
//
// A journal written before secrets moved to the file may still hold them:
// they are taken out of it here. If the file did not change since it seeded
// the journal, the journal's secrets are the newer ones (a manager's edit)
// and are written to the file first.
func SyncProfile(ctx context.Context, j *storage.Journal, file Profile) (Profile, error) {
	stored, err := loadStored(ctx, j, file.TID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return file, err
	}
	if err == nil && (stored.SeedHash == file.SeedHash || file.legacySeedHash != "" && stored.SeedHash == file.legacySeedHash) {
		p := stored
		p.ConfigPath, p.SeedHash = file.ConfigPath, file.SeedHash
		migrate := stored.hasSecrets() || stored.SeedHash != file.SeedHash
		for _, k := range secretKeys() {
			if k.get(p) == "" {
				k.set(&p, k.get(file))
			}
		}
		if migrate {
			if err := SaveProfile(ctx, j, p); err != nil {
				return p, err
			}
		}
		return p, scrubLegacy(ctx, j, stored)
	}
	if err == nil && file.ManagerPIN == "" {
		file.ManagerPIN = stored.ManagerPIN // the PIN set on the terminal survives a new file
	}
	if err := SaveProfile(ctx, j, file); err != nil {
		return file, err
	}
	return file, scrubLegacy(ctx, j, stored)
}

// scrubLegacy wipes the free pages of a journal whose stored profile held
// secrets (written by an older version), once they are out of the table.
func scrubLegacy(ctx context.Context, j *storage.Journal, stored Profile) error {
	if !stored.hasSecrets() {
		return nil
	}
	return j.Scrub(ctx)
}

// LoadProfile reads the profile of tid from the journal. It has no secrets
// (they live in the config file): SyncProfile returns the profile to run with.
func LoadProfile(ctx context.Context, j *storage.Journal, tid string) (Profile, error) {
	p, err := loadStored(ctx, j, tid)
	return p.withoutSecrets(), err
}

// loadStored reads the profile of tid as the journal holds it (a journal
// from before secrets moved to the file may hold them).
func loadStored(ctx context.Context, j *storage.Journal, tid string) (Profile, error) {
	var p Profile
	b, _, err := j.Profile(ctx, tid)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("profile %s in the journal: %w", tid, err)
	}
	return p, p.Validate()
}

// SaveProfile validates p and stores it under its tid: its secrets in the
// config file it came from (p.ConfigPath; an empty secret keeps the file's),
// everything else in the journal. The journal never holds a secret; a
// profile without a ConfigPath (the demo's) keeps its secrets in memory only.
func SaveProfile(ctx context.Context, j *storage.Journal, p Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ConfigPath != "" {
		if err := saveSecrets(p.ConfigPath, p.secretValues()); err != nil {
			return err
		}
	}
	b, err := json.Marshal(p.withoutSecrets())
	if err != nil {
		return err
	}
	return j.SaveProfile(ctx, p.TID, b)
}

func (p Profile) hasSecrets() bool {
	for _, v := range p.secretValues() {
		if v.value != "" {
			return true
		}
	}
	return false
}

// secretValues are p's secrets, one for each of secretKeys.
func (p Profile) secretValues() []secretValue {
	keys := secretKeys()
	out := make([]secretValue, len(keys))
	for i, k := range keys {
		out[i] = secretValue{k, k.get(p)}
	}
	return out
}

// withoutSecrets is p as the journal keeps it.
func (p Profile) withoutSecrets() Profile {
	p.Providers = p.mapSecrets(func(string) string { return "" })
	p.APIToken = ""
	p.HQ.Token = ""
	return p
}

// EngineConfig turns a profile into the engine's configuration.
func (p Profile) EngineConfig() Config {
	return Config{TID: p.TID, Currency: payments.Currency(p.Currency), NotifyURL: p.NotifyURL,
		OrderTimeout: time.Duration(p.OrderTimeout) * time.Second, CPMTimeout: time.Duration(p.CPMTimeout) * time.Second}
}
