package terminal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	hqwire "qrpos/hq/wire"
)

// parseAck reads head office's answer to a batch of journal journalID and
// refuses one that cannot be trusted to move the cursor: not an object,
// about another journal, a negative seq or count, or a profile without a
// version or whose settings are not a JSON object. The head-office user's
// name is cleaned of control characters (it goes into the audit log).
func parseAck(raw []byte, journalID string) (hqwire.Ack, error) {
	var ack hqwire.Ack
	if err := json.Unmarshal(raw, &ack); err != nil {
		return hqwire.Ack{}, fmt.Errorf("head office's answer: %w", err)
	}
	switch {
	case ack.JournalID != journalID:
		return hqwire.Ack{}, fmt.Errorf("head office answered about journal %q, not %q", cleanText(ack.JournalID, 64), journalID)
	case ack.Acked < 0 || ack.Conflicts < 0:
		return hqwire.Ack{}, fmt.Errorf("head office's answer: acked %d, conflicts %d", ack.Acked, ack.Conflicts)
	}
	if p := ack.Profile; p != nil {
		settings := bytes.TrimSpace(p.Settings)
		if p.Version <= 0 || len(settings) == 0 || settings[0] != '{' || !json.Valid(settings) {
			return hqwire.Ack{}, errors.New("head office's answer: a profile without a version or settings")
		}
		p.Settings = settings
		p.By = cleanText(p.By, 100)
	}
	return ack, nil
}

// cleanText is s without control characters, at most n runes long.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if r := []rune(strings.TrimSpace(s)); len(r) > n {
		return string(r[:n])
	}
	return strings.TrimSpace(s)
}
