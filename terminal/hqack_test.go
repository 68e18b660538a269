package terminal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

const ackJournal = "00112233445566778899aabbccddeeff"

// TestParseAck: what moves the cursor is checked before it does.
func TestParseAck(t *testing.T) {
	for _, c := range []struct {
		raw, want string
	}{
		{`{"journal_id":"` + ackJournal + `","acked":12,"conflicts":0}`, ""},
		{`{"journal_id":"` + ackJournal + `","acked":0,"conflicts":1,"profile":{"version":5,"settings":{"tid":"T1"},"by":"alice"}}`, ""},
		{`{"journal_id":"ffff","acked":12}`, "about journal"},
		{`{"journal_id":"` + ackJournal + `","acked":-1}`, "acked -1"},
		{`{"journal_id":"` + ackJournal + `","acked":1,"conflicts":-2}`, "conflicts -2"},
		{`{"journal_id":"` + ackJournal + `","acked":1,"profile":{"version":0,"settings":{}}}`, "without a version"},
		{`{"journal_id":"` + ackJournal + `","acked":1,"profile":{"version":3,"settings":"x"}}`, "without a version or settings"},
		{`{"journal_id":"` + ackJournal + `","acked":1,"profile":{"version":3}}`, "settings"},
		{`[1,2]`, "answer"},
		{`<html>`, "answer"},
		{`{"journal_id":"` + ackJournal + `","acked":"7"}`, "answer"},
	} {
		_, err := parseAck([]byte(c.raw), ackJournal)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.raw, err, c.want)
		}
	}
	ack, err := parseAck([]byte(`{"journal_id":"`+ackJournal+`","acked":3,"profile":{"version":9,"settings":{"a":1},"by":"bo\u0007b\n"}}`), ackJournal)
	if err != nil || ack.Acked != 3 || ack.Profile.By != "bob" || string(ack.Profile.Settings) != `{"a":1}` {
		t.Fatalf("%+v, %v", ack, err)
	}
}

// FuzzParseAck: any answer either is refused or holds what the link relies
// on: this journal, no negative seq or count, a profile with a version,
// settings that are a JSON object and a user name without control
// characters.
func FuzzParseAck(f *testing.F) {
	f.Add([]byte(`{"journal_id":"` + ackJournal + `","acked":12,"conflicts":0}`))
	f.Add([]byte(`{"journal_id":"` + ackJournal + `","acked":1,"profile":{"version":5,"settings":{"tid":"T1"},"by":"alice"}}`))
	f.Add([]byte(`{"journal_id":"` + ackJournal + `","acked":1,"profile":{"version":5,"settings":" {}","by":"\u0000"}}`))
	f.Add([]byte(`{"journal_id":"` + ackJournal + `","acked":1,"profile":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ack, err := parseAck(raw, ackJournal)
		if err != nil {
			return
		}
		if ack.JournalID != ackJournal || ack.Acked < 0 || ack.Conflicts < 0 {
			t.Fatalf("accepted %+v", ack)
		}
		if p := ack.Profile; p != nil {
			s := bytes.TrimSpace(p.Settings)
			var obj map[string]json.RawMessage
			if p.Version <= 0 || json.Unmarshal(s, &obj) != nil || len(p.By) > 400 || strings.IndexFunc(p.By, unicode.IsControl) >= 0 {
				t.Fatalf("accepted profile %+v", p)
			}
		}
	})
}
