package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"qrpos/payments/eftpay"
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
	// FaultHold holds the call until it is released (Server.Release, POST
	// /sandbox/release) or its client goes away, so a crash test can kill
	// the terminal at that very moment. Stage says what the provider knows
	// meanwhile: HoldBefore holds the call before processing it (released,
	// it is processed and answered; abandoned, it never reached the
	// provider), HoldAfter processes it first and holds the answer (the
	// provider has it, the terminal does not know; abandoned, the answer is
	// lost). An abandoned call's connection is closed. Each held call is
	// announced on Server.Held and by GET /sandbox/held.
	FaultHold FaultKind = "hold"
)

// HoldStage is when FaultHold holds a call.
type HoldStage string

// Hold stages.
const (
	HoldBefore HoldStage = "before" // the provider has not received the call
	HoldAfter  HoldStage = "after"  // the provider processed it; the answer waits
)

// Fault is one injected misbehaviour.
//
// A fault limited by Op or OutTradeNo, and every hold, is applied by the
// sandbox's front door before the provider's half sees the call; the others
// by the half itself (as they always were). Within each, faults apply in the
// order injected, one per call; a call may meet one of each.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Provider limits it to "eftpay" or "qfpay"; empty means both.
	Provider string `json:"provider,omitempty"`
	// Op limits it to one operation: pay, query, close, reversal or refund
	// (see Request.Op); empty means every call.
	Op string `json:"op,omitempty"`
	// OutTradeNo limits it to calls naming this sale or refund number.
	OutTradeNo string `json:"out_trade_no,omitempty"`
	// Count is how many calls it affects; 0 means every call until cleared.
	Count int `json:"count,omitempty"`
	// Latency for FaultLatency.
	Latency time.Duration `json:"latency,omitempty"`
	// Stage for FaultHold.
	Stage HoldStage `json:"stage,omitempty"`
}

// frontDoor reports whether the server's front applies f (rather than the
// provider's half).
func (f *Fault) frontDoor() bool { return f.Kind == FaultHold || f.Op != "" || f.OutTradeNo != "" }

// applies reports whether f is for this call.
func (f *Fault) applies(c Request) bool {
	if f.Provider != "" && f.Provider != c.Provider {
		return false
	}
	if f.Op != "" && f.Op != c.Op {
		return false
	}
	return f.OutTradeNo == "" || c.names(f.OutTradeNo)
}

type faults struct {
	mu     sync.Mutex
	active []*Fault
}

// InjectFault adds a fault; faults apply in the order injected.
func (s *Server) InjectFault(f Fault) error {
	switch f.Kind {
	case FaultLatency, FaultDrop, Fault5xx, FaultBadSignature:
		if f.Stage != "" {
			return fmt.Errorf("stage is for hold faults, not %s", f.Kind)
		}
	case FaultHold:
		if f.Stage != HoldBefore && f.Stage != HoldAfter {
			return fmt.Errorf("hold stage %q: use before or after", f.Stage)
		}
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Provider != "" && f.Provider != "eftpay" && f.Provider != "qfpay" {
		return fmt.Errorf("unknown provider %q", f.Provider)
	}
	if f.Op != "" && !knownOps[f.Op] {
		return fmt.Errorf("unknown op %q: use pay, query, close, reversal or refund", f.Op)
	}
	if f.Count < 0 {
		return fmt.Errorf("count %d is negative", f.Count)
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = append(s.faults.active, &f)
	return nil
}

// ClearFaults removes every fault. Calls already held stay held.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.active = nil
}

// takeFault returns the fault the provider's half applies to this call of
// provider, using up one of its count. The zero Fault means behave.
func (s *Server) takeFault(provider string) Fault {
	return s.take(func(f *Fault) bool { return !f.frontDoor() && (f.Provider == "" || f.Provider == provider) })
}

// takeFrontFault is takeFault for the faults the front door applies.
func (s *Server) takeFrontFault(c Request) Fault {
	return s.take(func(f *Fault) bool { return f.frontDoor() && f.applies(c) })
}

func (s *Server) take(match func(*Fault) bool) Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, f := range s.faults.active {
		if !match(f) {
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

// frontFault serves call c through the provider's half with the front
// door's fault f (the zero Fault: none).
func (s *Server) frontFault(f Fault, c Request, w http.ResponseWriter, r *http.Request) {
	if f.Kind == FaultHold && f.Stage == HoldBefore {
		if !s.hold(r.Context(), c, HoldBefore) {
			dropConnection(w)
			return
		}
		f = Fault{}
	}
	if f.before(w) {
		return
	}
	if f.Kind == "" || f.Kind == FaultLatency {
		s.mux.ServeHTTP(w, r)
		return
	}
	// The call is processed now; its answer is dropped, garbled or held.
	rec := &recorder{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	switch f.Kind {
	case FaultDrop:
		dropConnection(w)
		return
	case FaultBadSignature:
		rec.body = garble(c.Provider, rec.body)
	case FaultHold:
		if !s.hold(r.Context(), c, HoldAfter) {
			dropConnection(w)
			return
		}
	}
	rec.replay(w)
}

// garble spoils an answer the way FaultBadSignature does in each half: a
// wrong signature for eftPay, a truncated body for QFPay (which signs no
// answers).
func garble(provider string, body []byte) []byte {
	if provider == "eftpay" {
		if fields, err := eftpay.DecodeObject(body); err == nil {
			sign := fields["sign"]
			if sign == "" {
				sign = strings.Repeat("0", 64)
			} else if sign[0] == '0' {
				sign = "1" + sign[1:]
			} else {
				sign = "0" + sign[1:]
			}
			fields["sign"] = sign
			return eftpay.EncodeObject(fields)
		}
	}
	return body[:len(body)/2]
}

// recorder keeps a half's answer so the front door can hold or spoil it.
// It cannot be hijacked: a drop inside the half then aborts the call.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, b...)
	return len(b), nil
}

func (r *recorder) replay(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(max(r.status, http.StatusOK))
	w.Write(r.body)
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

// Held is a call the sandbox is holding (FaultHold).
type Held struct {
	ID    int       `json:"id"`
	Stage HoldStage `json:"stage"`
	Request
}

type holds struct {
	mu      sync.Mutex
	next    int
	held    map[int]*heldCall
	changed chan struct{} // closed and replaced when a call is held
	ch      chan Held
}

type heldCall struct {
	Held
	release chan struct{}
}

// Held announces every call as it is held, for in-process tests. It is
// buffered; announcements nobody reads beyond the buffer are dropped
// (Holding and WaitHeld still see them).
func (s *Server) Held() <-chan Held { return s.holds.ch }

// Holding lists the calls held now, oldest first.
func (s *Server) Holding() []Held { return s.heldAfter(0) }

func (s *Server) heldAfter(after int) []Held {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	var out []Held
	for id := after + 1; id <= s.holds.next; id++ {
		if h, ok := s.holds.held[id]; ok {
			out = append(out, h.Held)
		}
	}
	return out
}

// WaitHeld waits until a call with an ID above after is held and lists the
// held calls above after.
func (s *Server) WaitHeld(ctx context.Context, after int) ([]Held, error) {
	for {
		s.holds.mu.Lock()
		changed := s.holds.changed
		s.holds.mu.Unlock()
		if out := s.heldAfter(after); len(out) > 0 {
			return out, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Release lets a held call go on; false when no call with that ID is held.
func (s *Server) Release(id int) bool {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	h, ok := s.holds.held[id]
	if ok {
		delete(s.holds.held, id)
		close(h.release)
	}
	return ok
}

// ReleaseAll lets every held call go on and says how many there were.
func (s *Server) ReleaseAll() int {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	n := len(s.holds.held)
	for id, h := range s.holds.held {
		delete(s.holds.held, id)
		close(h.release)
	}
	return n
}

// hold holds call c until it is released (true) or its client goes away or
// the sandbox closes (false).
func (s *Server) hold(ctx context.Context, c Request, stage HoldStage) bool {
	s.holds.mu.Lock()
	s.holds.next++
	h := &heldCall{Held: Held{ID: s.holds.next, Stage: stage, Request: c}, release: make(chan struct{})}
	if s.holds.held == nil {
		s.holds.held = map[int]*heldCall{}
	}
	s.holds.held[h.ID] = h
	close(s.holds.changed)
	s.holds.changed = make(chan struct{})
	s.holds.mu.Unlock()
	select {
	case s.holds.ch <- h.Held:
	default:
	}
	s.log.Info("holding a call", "id", h.ID, "stage", stage, "provider", c.Provider, "op", c.Op, "out_trade_no", c.OutTradeNo, "refund_no", c.RefundNo)
	select {
	case <-h.release:
		return true
	case <-ctx.Done():
	case <-s.notifyCtx.Done():
	}
	s.holds.mu.Lock()
	delete(s.holds.held, h.ID)
	s.holds.mu.Unlock()
	s.log.Info("held call abandoned: its client went away", "id", h.ID, "stage", stage)
	return false
}

// handleHeld is the long poll GET /sandbox/held?wait=10s&after=ID: the
// calls held with an ID above after, once there is one or wait ran out
// (then an empty list).
func (s *Server) handleHeld(w http.ResponseWriter, r *http.Request) {
	wait := time.Duration(0)
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "wait: a duration such as 10s"})
			return
		}
		wait = min(d, 5*time.Minute)
	}
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	ctx, cancel := context.WithTimeout(r.Context(), wait)
	defer cancel()
	held, _ := s.WaitHeld(ctx, after)
	if held == nil {
		held = []Held{}
	}
	writeJSON(w, http.StatusOK, held)
}

// handleRelease is POST /sandbox/release [id=N]: release one held call, or
// every one when no id is given.
func (s *Server) handleRelease(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID int `json:"id"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil && err != io.EOF {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	} else {
		r.ParseForm()
		body.ID, _ = strconv.Atoi(r.Form.Get("id"))
	}
	if body.ID == 0 {
		writeJSON(w, http.StatusOK, map[string]int{"released": s.ReleaseAll()})
		return
	}
	if !s.Release(body.ID) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no call %d is held", body.ID)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"released": 1})
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
		f.Op = r.Form.Get("op")
		f.OutTradeNo = r.Form.Get("out_trade_no")
		f.Stage = HoldStage(r.Form.Get("stage"))
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
