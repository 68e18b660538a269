package checkout

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestProfileChime: the paid chime is on unless a profile says chime =
// false; a journal's profile from before the setting loads with it on; the
// manager's switch survives the journal; a value that is not true or false
// is refused, naming the key.
func TestProfileChime(t *testing.T) {
	on, err := LoadProfileFile(writeConfig(t, sampleTOML, 0o600))
	if err != nil || !on.ChimeOn() {
		t.Fatalf("no chime key: on %v, %v", on.ChimeOn(), err)
	}
	off, err := LoadProfileFile(writeConfig(t, "chime = false\n"+sampleTOML, 0o600))
	if err != nil || off.ChimeOn() {
		t.Fatalf("chime = false: on %v, %v", off.ChimeOn(), err)
	}
	var ce *ConfigError
	if _, err := LoadProfileFile(writeConfig(t, "chime = \"yes\"\n"+sampleTOML, 0o600)); !errors.As(err, &ce) || !strings.Contains(err.Error(), "chime") {
		t.Fatalf("chime = \"yes\": %v", err)
	}

	j, _ := openTestJournal(t)
	ctx := context.Background()
	old := `{"tid":"T009","store_name":"舊店","currency":"HKD","order_timeout":120,"cpm_timeout":45,"printer":{"width":48,"encoding":"big5"}}`
	if err := j.SaveProfile(ctx, "T009", []byte(old)); err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfile(ctx, j, "T009")
	if err != nil || !p.ChimeOn() {
		t.Fatalf("a profile from before the setting: on %v, %v", p.ChimeOn(), err)
	}
	p.SetChime(false)
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	if s := storedJSON(t, j, "T009"); !strings.Contains(s, `"chime":false`) {
		t.Fatalf("stored %s", s)
	}
	if p, err = LoadProfile(ctx, j, "T009"); err != nil || p.ChimeOn() {
		t.Fatalf("switched off, then loaded: on %v, %v", p.ChimeOn(), err)
	}
	p.SetChime(true)
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	if p, err = LoadProfile(ctx, j, "T009"); err != nil || !p.ChimeOn() {
		t.Fatalf("switched on again: on %v, %v", p.ChimeOn(), err)
	}
}
