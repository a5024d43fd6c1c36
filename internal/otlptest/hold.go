package otlptest

import (
	"net/http"
	"sync"
)

// holds is the receiver's request holding: HoldReverse and the count of
// requests open at once.
type holds struct {
	mu      sync.Mutex
	n       int             // group size, 0: no holding
	groups  int             // groups left to hold; < 0: every group
	group   []chan struct{} // the gates of the group filling up, by arrival
	open    int             // requests of this epoch open
	maxOpen int             // the most of them open at once
	epoch   int             // grows at each ResetMaxOpen
	answers []int           // arrival numbers (1-based) in the order answered
}

// HoldReverse holds the following requests until n have arrived, then answers
// those n in reverse order of arrival, each once the one after it has
// answered; then the next n, and so on, for groups groups (every group when
// groups < 0). A request whose group never fills is held until its client gives
// up. n <= 0 stops holding new requests.
func (r *Receiver) HoldReverse(n, groups int) {
	r.holds.mu.Lock()
	defer r.holds.mu.Unlock()
	r.holds.n, r.holds.groups, r.holds.group = max(n, 0), groups, nil
}

// AnswerOrder returns the requests, numbered by arrival from 1, in the order
// they were answered (or given up by their client).
func (r *Receiver) AnswerOrder() []int {
	r.holds.mu.Lock()
	defer r.holds.mu.Unlock()
	return append([]int(nil), r.holds.answers...)
}

// MaxOpen is the most requests the receiver had open at once (since the last
// ResetMaxOpen).
func (r *Receiver) MaxOpen() int {
	r.holds.mu.Lock()
	defer r.holds.mu.Unlock()
	return r.holds.maxOpen
}

// ResetMaxOpen starts MaxOpen again from 0, counting only the requests that
// arrive from now on: the ones still open do not count, now or when they end.
func (r *Receiver) ResetMaxOpen() {
	r.holds.mu.Lock()
	defer r.holds.mu.Unlock()
	r.holds.epoch++
	r.holds.open, r.holds.maxOpen = 0, 0
}

// enter counts a request open and, when holding, returns its gate and the gate
// to open once it has answered (the one of the request that arrived before it
// in its group), and the epoch it counts in.
func (h *holds) enter() (gate, after chan struct{}, epoch int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	epoch = h.epoch
	h.open++
	h.maxOpen = max(h.maxOpen, h.open)
	if h.n == 0 || h.groups == 0 {
		return nil, nil, epoch
	}
	gate = make(chan struct{})
	if len(h.group) > 0 {
		after = h.group[len(h.group)-1]
	}
	h.group = append(h.group, gate)
	if len(h.group) == h.n {
		close(gate) // the last to arrive answers first
		h.group = nil
		if h.groups > 0 {
			h.groups--
		}
	}
	return gate, after, epoch
}

func (h *holds) leave(arrival, epoch int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if epoch == h.epoch {
		h.open--
	}
	h.answers = append(h.answers, arrival)
}

// hold waits at the gate enter gave the request. It returns false when the
// client gave up; done must be called once the request has answered.
func (r *Receiver) hold(w http.ResponseWriter, req *http.Request, arrival, epoch int, gate, after chan struct{}) (ok bool, done func()) {
	done = func() {
		r.holds.leave(arrival, epoch) // before the answer is out: a new request may follow it at once
		if f, ok := w.(http.Flusher); ok && gate != nil {
			f.Flush() // the answer is out before the next one is let go
		}
		if after != nil {
			close(after)
		}
	}
	if gate == nil {
		return true, done
	}
	select {
	case <-gate:
		return true, done
	case <-req.Context().Done():
		return false, done
	}
}
