package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"qrpos/assets"
)

// TestTranslationsComplete: the three languages have the same keys, no
// empty text, the same {{.Fields}}, and every key the code asks for.
func TestTranslationsComplete(t *testing.T) {
	files := map[Language]map[string]string{}
	for _, l := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		b, err := assets.Translations.ReadFile("translations/" + string(l) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		files[l] = m
	}
	fields := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	for key, en := range files[English] {
		want := fields.FindAllString(en, -1)
		sort.Strings(want)
		for l, m := range files {
			s, ok := m[key]
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%s: %q missing", l, key)
				continue
			}
			got := fields.FindAllString(s, -1)
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: %q has fields %v, English %v", l, key, got, want)
			}
		}
	}
	for l, m := range files {
		if len(m) != len(files[English]) {
			t.Errorf("%s has %d keys, English %d", l, len(m), len(files[English]))
		}
	}
	// Every literal key in the code, and every key built from a value.
	used := regexp.MustCompile(`\bT\("([a-z_.]+)"`)
	srcs, _ := filepath.Glob("*.go")
	for _, src := range srcs {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			key := m[1]
			if strings.HasSuffix(key, ".") {
				continue // a prefix: checked below
			}
			if _, ok := files[English][key]; !ok {
				t.Errorf("%s asks for %q, which en.json lacks", src, key)
			}
		}
	}
	tr, err := NewTranslator(English)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"created", "pending", "unknown", "paid", "failed", "closed", "expired", "partly_refunded", "refunded"} {
		if !tr.Has("state." + s) {
			t.Errorf("no text for state %s", s)
		}
	}
	for _, s := range []string{"created", "pending", "unknown", "done", "failed"} {
		if !tr.Has("refundstate." + s) {
			t.Errorf("no text for refund state %s", s)
		}
	}
	for _, s := range []string{"MPM", "CPM", "TOKEN"} {
		if !tr.Has("mode." + s) {
			t.Errorf("no text for mode %s", s)
		}
	}
}

func TestTranslatorFields(t *testing.T) {
	tr, err := NewTranslator(TraditionalChinese)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.T("wait.time_left", "Left", "1:05"); got != "剩餘時間 1:05" {
		t.Fatalf("got %q", got)
	}
	if got := tr.T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key shows %q", got)
	}
}
