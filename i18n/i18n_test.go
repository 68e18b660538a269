package i18n

import "testing"

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		locale string
		want   Language
	}{{"zh-HK", TraditionalChinese}, {"zh_TW.UTF-8", TraditionalChinese}, {"zh_CN", SimplifiedChinese}, {"en-US", English}, {"C", English}, {"", English}} {
		if got := Match(tc.locale); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.locale, got, tc.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"zh-HK", "en_US.UTF-8", "", "zh-Hant-TW", "x-klingon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch Match(s) {
		case English, TraditionalChinese, SimplifiedChinese:
		default:
			t.Fatalf("Match(%q) gave no terminal language", s)
		}
	})
}

func TestFieldsAndFallback(t *testing.T) {
	tr := Must(TraditionalChinese)
	if got := tr.T("wait.time_left", "Left", "1:05"); got != "剩餘時間 1:05" {
		t.Fatalf("got %q", got)
	}
	if got := tr.T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key shows %q", got)
	}
	if Must(System).Language() != English || Must("fr").Language() != English {
		t.Fatal("an unknown language is not English")
	}
}
