package checkout

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MinHQTokenLen is the shortest [hq] token accepted (pos hq enrol prints
// 47 characters).
const MinHQTokenLen = 24

// validateHQ checks the [hq] section: an https URL, or http to a loopback
// host (a head office on the same machine, tests); no credentials, query
// or fragment in it. Whether the URL has its token is checked where the
// token is present (LoadProfileFile, CheckHQToken).
func (p *Profile) validateHQ() error {
	if t := p.HQ.Token; t != "" {
		if len(t) < MinHQTokenLen {
			return fmt.Errorf("[hq] token has %d characters: use the token pos hq enrol printed", len(t))
		}
		for i := 0; i < len(t); i++ {
			if c := t[i]; c <= ' ' || c > '~' {
				return errors.New("[hq] token: use printable ASCII without spaces (the token pos hq enrol printed)")
			}
		}
	}
	if p.HQ.URL == "" {
		return nil
	}
	u, err := url.Parse(p.HQ.URL)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("[hq] url %q: use https://host[:port][/path]", p.HQ.URL)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("[hq] url %q: http:// only to this machine (localhost, 127.0.0.1, ::1); use https://", p.HQ.URL)
	}
	return fmt.Errorf("[hq] url %q: use https://", p.HQ.URL)
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// CheckHQToken refuses an [hq] url without its token, and a token without
// a url. Call it on a profile that holds its secrets (from the file).
func (p Profile) CheckHQToken() error {
	switch {
	case p.HQ.URL != "" && p.HQ.Token == "":
		return errors.New("[hq] url needs token (pos hq enrol prints one)")
	case p.HQ.URL == "" && p.HQ.Token != "":
		return errors.New("[hq] token needs url")
	}
	return nil
}

// HQIngestURL is where the terminal posts its batches: the [hq] url with
// path (qrpos/hq/wire.IngestPath) appended; "" without a url.
func (p Profile) HQIngestURL(path string) string {
	if p.HQ.URL == "" {
		return ""
	}
	return strings.TrimSuffix(p.HQ.URL, "/") + path
}

// ProfileFromHQ turns a profile head office made (settings: a profile as
// the journal keeps it, without secrets) into one this terminal, running
// cur, can apply: it keeps cur's secrets where head office sends none, its
// [hq] section (the way to head office is the terminal's own: a mistake
// there would cut it off), its journal and config file, and its manager
// PIN when head office sends none. It refuses a profile of another
// terminal and one that does not validate.
func ProfileFromHQ(cur Profile, settings []byte) (Profile, error) {
	var p Profile
	if err := json.Unmarshal(settings, &p); err != nil {
		return cur, fmt.Errorf("profile from head office: %w", err)
	}
	if p.TID != cur.TID {
		return cur, fmt.Errorf("profile from head office is for terminal %q, not %q", p.TID, cur.TID)
	}
	for _, k := range secretKeys() {
		if k.get(p) == "" {
			k.set(&p, k.get(cur))
		}
	}
	p.HQ = cur.HQ
	p.Journal, p.ConfigPath, p.SeedHash, p.legacySeedHash = cur.Journal, cur.ConfigPath, cur.SeedHash, cur.legacySeedHash
	if p.ManagerPIN == "" {
		p.ManagerPIN = cur.ManagerPIN
	}
	if err := p.Validate(); err != nil {
		return cur, fmt.Errorf("profile from head office: %w", err)
	}
	if err := p.CheckAPIToken(); err != nil {
		return cur, fmt.Errorf("profile from head office: %w", err)
	}
	return p, nil
}
