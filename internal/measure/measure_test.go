package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseLogLine(t *testing.T) {
	l := parseLogLine(`time=2026-12-01T05:56:56.721Z level=INFO msg="first frame" took_ms=4625 note="a \"quoted\" word" empty=`)
	if l.msg != "first frame" || l.int("took_ms") != 4625 || l.fields["note"] != `a "quoted" word` || l.fields["level"] != "INFO" {
		t.Errorf("parsed %+v", l)
	}
	if _, ok := l.fields["empty"]; !ok {
		t.Error("an empty value is lost")
	}
	for _, s := range []string{"", "gc 1 @0.012s 31%: 18+1.0+0.006 ms clock", "terminal DEMO01: journal /x/demo.db", `msg="unterminated`} {
		if l := parseLogLine(s); l.msg != "" {
			t.Errorf("%q: msg %q", s, l.msg)
		}
	}
}

func TestParseStatus(t *testing.T) {
	m, err := parseStatus([]byte("Name:\tpos\nVmRSS:\t  276552 kB\nRssAnon:\t  161984 kB\nRssFile:\t  110664 kB\nRssShmem:\t    3904 kB\n"))
	if err != nil || m.rss != 276552<<10 || m.anon != 161984<<10 || m.file != 110664<<10 || m.shmem != 3904<<10 {
		t.Errorf("%+v %v", m, err)
	}
	for _, bad := range []string{"Name:\tpos\n", "VmRSS:\t12 MB\n", "VmRSS:\t-1 kB\n", "VmRSS:\tx kB\n"} {
		if _, err := parseStatus([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSpread(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, x := range n {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	if lo, mid, hi := spread(ms(900, 300, 500)); lo != 300*time.Millisecond || mid != 500*time.Millisecond || hi != 900*time.Millisecond {
		t.Errorf("odd: %v %v %v", lo, mid, hi)
	}
	if _, mid, _ := spread(ms(400, 300, 500, 100)); mid != 350*time.Millisecond {
		t.Errorf("even: median %v", mid)
	}
}

func FuzzParseLogLine(f *testing.F) {
	f.Add(`time=x level=INFO msg="first frame" took_ms=1`)
	f.Add(`a="\x"`)
	f.Fuzz(func(t *testing.T, s string) {
		l := parseLogLine(s)
		if l.msg != "" && !strings.Contains(s, "msg=") {
			t.Errorf("msg %q from %q", l.msg, s)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("VmRSS:\t  276552 kB\nRssAnon:\t 1 kB\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseStatus(b)
		if err == nil && (m.rss < 0 || m.anon < 0 || m.file < 0 || m.shmem < 0) {
			t.Errorf("negative memory %+v", m)
		}
	})
}
