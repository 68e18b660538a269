package terminal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func readEvents(t testing.TB, stream string, max int) ([]sseEvent, error) {
	t.Helper()
	r := newSSEReader(strings.NewReader(stream), max)
	var out []sseEvent
	for {
		ev, err := r.Next()
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestSSEReader(t *testing.T) {
	for _, c := range []struct {
		name, stream string
		want         []sseEvent
		err          error
	}{
		{"one event", "id: 7\nevent: notification\ndata: {\"a\":1}\n\n", []sseEvent{{"7", "notification", []byte(`{"a":1}`)}}, io.EOF},
		{"comments and heartbeats", ": T001\n\n: ping\n\nid: 1\ndata: x\n\n: ping\n\n", []sseEvent{{"1", "message", []byte("x")}}, io.EOF},
		{"data lines joined", "data: a\ndata:b\ndata\n\n", []sseEvent{{"", "message", []byte("a\nb\n")}}, io.EOF},
		{"CRLF and CR", "id: 2\r\ndata: a\r\n\r\nid: 3\rdata: b\r\r", []sseEvent{{"2", "message", []byte("a")}, {"3", "message", []byte("b")}}, io.EOF},
		{"CRLF between data lines", "data: a\r\ndata: b\r\n\r\n", []sseEvent{{"", "message", []byte("a\nb")}}, io.EOF},
		{"BOM", "\xEF\xBB\xBFdata: x\n\n", []sseEvent{{"", "message", []byte("x")}}, io.EOF},
		{"id carries over, NUL ignored", "id: 4\ndata: a\n\nid: 5\x00\ndata: b\n\n", []sseEvent{{"4", "message", []byte("a")}, {"4", "message", []byte("b")}}, io.EOF},
		{"event without data is no event", "event: notification\n\ndata: y\n\n", []sseEvent{{"", "message", []byte("y")}}, io.EOF},
		{"cut short", "id: 1\ndata: x\n", nil, io.EOF},
		{"line cut short", "data: x\n\ndata: y", []sseEvent{{"", "message", []byte("x")}}, io.ErrUnexpectedEOF},
		{"too long", "data: " + strings.Repeat("x", 100) + "\n\n", nil, errSSETooLong},
		{"too long in lines", strings.Repeat("data: "+strings.Repeat("x", 30)+"\n", 5) + "\n", nil, errSSETooLong},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readEvents(t, c.stream, 64)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v; want %v", err, c.err)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Fatalf("events %q; want %q", got, c.want)
			}
		})
	}
}

// encodeSSE writes events as head office does (each data line its own).
func encodeSSE(evs []sseEvent) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "id: %s\nevent: %s\n", ev.ID, ev.Event)
		for _, line := range bytes.Split(ev.Data, []byte("\n")) {
			fmt.Fprintf(&b, "data: %s\n", line)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// FuzzSSEReader: whatever head office (or whoever answers in its place)
// sends, the reader returns events within its bound or an error, never
// panics; the events it read, written again, read the same.
func FuzzSSEReader(f *testing.F) {
	f.Add([]byte("id: 7\nevent: notification\ndata: {\"id\":7}\n\n: ping\n\n"))
	f.Add([]byte("data: a\r\ndata: b\r\rid: 3\n\n"))
	f.Add([]byte("\xEF\xBB\xBF: x\ndata\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		const max = 256
		evs, err := readEvents(t, string(b), max)
		if err == nil {
			t.Fatal("the stream ended without an error")
		}
		for _, ev := range evs {
			if len(ev.Data) > max || bytes.ContainsAny(ev.Data, "\r") || ev.Event == "" {
				t.Fatalf("event %q", ev)
			}
		}
		var clean []sseEvent
		for _, ev := range evs {
			if !strings.ContainsAny(ev.ID+ev.Event, "\r\n") && !strings.HasPrefix(ev.ID, " ") && !strings.HasPrefix(ev.Event, " ") && ev.ID != "" {
				clean = append(clean, ev)
			}
		}
		again, err := readEvents(t, encodeSSE(clean), 1<<20)
		if !errors.Is(err, io.EOF) || fmt.Sprintf("%q", again) != fmt.Sprintf("%q", clean) {
			t.Fatalf("read %q, wrote and read again %q (%v)", clean, again, err)
		}
	})
}
