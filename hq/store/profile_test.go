package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// TestAckCarriesNewerProfile: an admin's profile goes to the terminal in
// the ack of its next upload (one with no entries too) until the terminal
// runs it; a later edit on the terminal wins over it.
func TestAckCarriesNewerProfile(t *testing.T) {
	r := hqtest.New(t)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 1)
	if ack := mustAck(t, r, token, j.All(), 5); ack.Profile != nil {
		t.Fatalf("an ack carries a profile no one made: %+v", ack.Profile)
	}
	ctx := context.Background()
	version, err := r.DB.SaveProfile(ctx, "T001", json.RawMessage(`{"receipt_footer":"Thank you"}`), "alice", r.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	heartbeat := j.Batch(6, 5) // no entries
	ack := mustAck(t, r, token, heartbeat, 5)
	if ack.Profile == nil || ack.Profile.Version != version || ack.Profile.By != "alice" || !sameJSON(ack.Profile.Settings, []byte(`{"receipt_footer":"Thank you"}`)) {
		t.Fatalf("ack profile %+v; want alice's version %d", ack.Profile, version)
	}
	heartbeat.Status.ProfileVersion = version
	if ack := mustAck(t, r, token, heartbeat, 5); ack.Profile != nil {
		t.Fatalf("the terminal runs version %d and is sent %+v", version, ack.Profile)
	}
	heartbeat.Status.ProfileVersion = 0
	j.Add(wire.KindProfile, wire.Profile{TID: "T001", Settings: json.RawMessage(`{"receipt_footer":"Bye"}`), UpdatedAt: version + 1})
	if ack := mustAck(t, r, token, j.Batch(6, 6), 6); ack.Profile != nil {
		t.Fatalf("the terminal's later edit lost to head office's: %+v", ack.Profile)
	}
	ps, err := r.DB.Profiles(ctx, "T001", 10)
	if err != nil || len(ps) != 2 || ps[0].Source != "terminal" || ps[1].By != "alice" {
		t.Fatalf("profile versions %+v, %v: want the terminal's, then alice's", ps, err)
	}
	log, err := r.DB.AuditLog(ctx, 10)
	if err != nil || len(log) == 0 || log[0].Actor != "alice" || log[0].Action != "profile" {
		t.Fatalf("audit %+v, %v: want alice's profile edit first", log, err)
	}
}
