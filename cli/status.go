package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"qrpos/cli/command"
	"qrpos/terminal"
)

func init() {
	register(command.Command{Name: "status", Summary: "the journal and its upload to head office (text or --json)", Run: runStatus})
}

// statusLine is pos status --json.
type statusLine struct {
	TID       string `json:"tid"`
	Journal   string `json:"journal"`
	JournalID string `json:"journal_id"`
	// Running: a terminal owns the journal (it was read read-only).
	Running bool   `json:"running"`
	HQURL   string `json:"hq_url"` // "" when the terminal stands alone
	// HQBacklog is how many journal entries head office does not hold yet.
	HQBacklog int64 `json:"hq_backlog"`
	// HQLastUpload is head office's last answer (null: never).
	HQLastUpload *time.Time `json:"hq_last_upload"`
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("status", stderr)
	config := command.ConfigFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	j, p, err := terminal.OpenForReading(ctx, *config)
	if err != nil {
		return err
	}
	defer j.Close()
	backlog, last, err := j.OutboxBacklog(ctx)
	if err != nil {
		return err
	}
	s := statusLine{TID: p.TID, Journal: j.Path(), JournalID: j.ID(), Running: j.ReadOnly(), HQURL: p.HQ.URL, HQBacklog: backlog}
	if !last.IsZero() {
		utc := last.UTC()
		s.HQLastUpload = &utc
	}
	if *asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "terminal %s, journal %s\n", s.TID, s.Journal)
	hq, when := "not configured", "never"
	if s.HQURL != "" {
		hq = s.HQURL
	}
	if s.HQLastUpload != nil {
		when = s.HQLastUpload.Local().Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "head office: %s; %d entries to upload; last upload %s\n", hq, s.HQBacklog, when)
	return nil
}
