package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind is a way the sandbox misbehaves, for the reliability tests.
type FaultKind string

// Faults the sandbox can inject.
const (
	// FaultLatency delays the answer by Fault.Latency (the call is processed).
	FaultLatency FaultKind = "latency"
	// FaultDrop processes the call (the order is created, the refund made)
	// and then closes the connection without answering.
	FaultDrop FaultKind = "drop"
	// Fault5xx answers HTTP 502 without processing the call.
	Fault5xx FaultKind = "5xx"
	// FaultBadSignature processes the call and answers with a wrong signature.
	FaultBadSignature FaultKind = "bad_signature"
)

// Fault is one injected misbehaviour.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Provider limits it to "eftpay" or "qfpay"; empty means both.
	Provider string `json:"provider,omitempty"`
	// Count is how many calls it affects; 0 means every call until cleared.
	Count int `json:"count,omitempty"`
	// Latency for FaultLatency.
	Latency time.Duration `json:"latency,omitempty"`
}

type faults struct {
	mu     sync.Mutex
	active []*Fault
}

// InjectFault adds a fault; faults apply in the order injected.
func (s *Server) InjectFault(f Fault) error {
	switch f.Kind {
	case FaultLatency, FaultDrop, Fault5xx, FaultBadSignature:
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Provider != "" && f.Provider != "eftpay" && f.Provider != "qfpay" {
		return fmt.Errorf("unknown provider %q", f.Provider)
	}
	if f.Count < 0 {
		return fmt.Errorf("count %d is negative", f.Count)
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = append(s.faults.active, &f)
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = nil
}

// takeFault returns the fault that applies to this call of provider, using
// up one of its count. The zero Fault means behave.
func (s *Server) takeFault(provider string) Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, f := range s.faults.active {
		if f.Provider != "" && f.Provider != provider {
			continue
		}
		out := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults.active = append(s.faults.active[:i], s.faults.active[i+1:]...)
			}
		}
		return out
	}
	return Fault{}
}

// before applies the part of a fault that comes before processing. It
// returns true when the call was answered (5xx) and must not be processed.
func (f Fault) before(w http.ResponseWriter) bool {
	switch f.Kind {
	case FaultLatency:
		time.Sleep(f.Latency)
	case Fault5xx:
		http.Error(w, "502 Bad Gateway (sandbox fault)", http.StatusBadGateway)
		return true
	}
	return false
}

// dropConnection closes the client's connection without an answer, after the
// call was processed.
func dropConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	conn, _, err := rc.Hijack()
	if err != nil {
		// Cannot hijack (HTTP/2): the closest is a broken, empty answer.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if r.Header.Get("Content-Type") == "application/json" {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	} else {
		r.ParseForm()
		f.Kind = FaultKind(r.Form.Get("kind"))
		f.Provider = r.Form.Get("provider")
		f.Count, _ = strconv.Atoi(r.Form.Get("count"))
		ms, _ := strconv.Atoi(r.Form.Get("latency_ms"))
		f.Latency = time.Duration(ms) * time.Millisecond
	}
	if err := s.InjectFault(f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) handleClearFaults(w http.ResponseWriter, r *http.Request) {
	s.ClearFaults()
	writeJSON(w, http.StatusOK, map[string]string{"faults": "cleared"})
}

func readFull(r io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}
