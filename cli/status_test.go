package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// TestStatusJSON: pos status --json shows the journal's backlog for head
// office and its last upload, from the journal itself, and also while a
// terminal owns it.
func TestStatusJSON(t *testing.T) {
	ctx := context.Background()
	config := writeConfig(t, "tid = \"ST01\"\njournal = \"pos.db\"\n[hq]\nurl = \"https://hq.example.com\"\ntoken = \"hqt_c3RhdHVzLXRlc3QtdG9rZW4tMDEyMzQ1Njc4OQ\"\n")
	status := func() statusLine {
		t.Helper()
		var out, errb bytes.Buffer
		if code := dispatch(ctx, []string{"status", "--json", "--config", config}, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		raw := out.String()
		if !strings.Contains(raw, `"hq_backlog"`) || !strings.Contains(raw, `"hq_last_upload"`) {
			t.Fatalf("no hq fields: %s", raw)
		}
		var s statusLine
		dec := json.NewDecoder(&out)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return s
	}
	first := status() // the profile seeded into a new journal: one entry
	if first.TID != "ST01" || first.HQBacklog != 1 || first.HQLastUpload != nil || first.Running || first.HQURL != "https://hq.example.com" {
		t.Fatalf("new journal: %+v", first)
	}
	j, err := storage.Open(ctx, filepath.Join(filepath.Dir(config), "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := j.CreateOrder(ctx, storage.NewOrder{TID: "ST01", Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
		Amount: payments.Money{Minor: 100, Currency: "HKD"}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	if _, err := j.SetUploadCursor(ctx, 2); err != nil {
		t.Fatal(err)
	}
	s := status() // read-only: the journal is owned
	if !s.Running || s.HQBacklog != 1 || s.HQLastUpload == nil || s.HQLastUpload.Before(before) || s.JournalID != j.ID() {
		t.Fatalf("while owned: %+v", s)
	}
	var out bytes.Buffer
	if code := dispatch(ctx, []string{"status", "--config", config}, &out, &out); code != 0 || !strings.Contains(out.String(), "1 entries to upload") {
		t.Fatalf("text: %d %s", code, out.String())
	}
}
