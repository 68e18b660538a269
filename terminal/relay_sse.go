package terminal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// sseEvent is one server-sent event (the HTML standard's "event stream
// interpretation"): its type ("message" when the stream names none), its
// data lines joined by "\n", and the last event ID the stream set.
type sseEvent struct {
	ID    string
	Event string
	Data  []byte
}

// sseReader reads events from a text/event-stream. Lines end with CRLF,
// LF or CR; a line or an event's data longer than max is an error (the
// stream is not head office's).
type sseReader struct {
	r      *bufio.Reader
	max    int
	lastID string
	bom    bool // the leading byte order mark was looked for
	cr     bool // the last line ended with CR: a LF right after it is its end too
}

func newSSEReader(r io.Reader, max int) *sseReader {
	return &sseReader{r: bufio.NewReaderSize(r, 4096), max: max}
}

// errSSETooLong: a line or an event beyond the reader's bound.
var errSSETooLong = errors.New("event stream: a line or an event is too long")

// Next is the next event with data. At the end of the stream it returns
// io.EOF (an event cut short by the end is dropped, as the standard
// says), or the reader's error.
func (s *sseReader) Next() (sseEvent, error) {
	if !s.bom {
		s.bom = true
		if b, err := s.r.Peek(3); err == nil && bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
			s.r.Discard(3)
		}
	}
	var data bytes.Buffer
	kind, hasData := "", false
	for {
		line, err := s.line()
		if err != nil {
			return sseEvent{}, err
		}
		if len(line) == 0 {
			if !hasData {
				kind = ""
				continue
			}
			if kind == "" {
				kind = "message"
			}
			return sseEvent{ID: s.lastID, Event: kind, Data: bytes.TrimSuffix(data.Bytes(), []byte("\n"))}, nil
		}
		field, value := splitField(line)
		switch field {
		case "data":
			if data.Len()+len(value)+1 > s.max {
				return sseEvent{}, errSSETooLong
			}
			data.Write(value)
			data.WriteByte('\n')
			hasData = true
		case "event":
			kind = string(value)
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				s.lastID = string(value)
			}
		}
	}
}

// splitField splits "field: value" (one space after the colon dropped);
// a comment (a line starting with ':') has no field.
func splitField(line []byte) (field string, value []byte) {
	i := bytes.IndexByte(line, ':')
	switch {
	case i == 0:
		return "", nil
	case i < 0:
		return string(line), nil
	}
	value = line[i+1:]
	if len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	return string(line[:i]), value
}

// line reads one line without its end (CRLF, LF or CR).
func (s *sseReader) line() ([]byte, error) {
	var out []byte
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(out) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		cr := s.cr
		s.cr = false
		switch b {
		case '\n':
			if cr && len(out) == 0 {
				continue // the LF of a CRLF: not waited for, so a CR-ended line is not held
			}
			return out, nil
		case '\r':
			s.cr = true
			return out, nil
		}
		if len(out) >= s.max {
			return nil, fmt.Errorf("%w (over %d bytes)", errSSETooLong, s.max)
		}
		out = append(out, b)
	}
}
