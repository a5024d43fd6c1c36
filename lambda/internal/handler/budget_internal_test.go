package handler

import (
	"context"
	"testing"
	"time"
)

// TestBudget_ReservesATenthUpToFiveSeconds: the work stops a tenth of the time
// left before the function's deadline, at most 5 s before it, to report and
// hand back what is left.
func TestBudget_ReservesATenthUpToFiveSeconds(t *testing.T) {
	t.Parallel()
	for left, reserve := range map[time.Duration]time.Duration{
		10 * time.Second: time.Second,
		time.Minute:      5 * time.Second,
		15 * time.Minute: 5 * time.Second,
	} {
		deadline := time.Now().Add(left)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		work, stop, _ := (&Handler{}).budget(ctx)
		got, ok := work.Deadline()
		if d := deadline.Sub(got); !ok || d < reserve-50*time.Millisecond || d > reserve+50*time.Millisecond {
			t.Errorf("with %s left, the work ends %s before the deadline, want %s", left, d, reserve)
		}
		stop()
		cancel()
	}
}

// TestStartMargin: StartMargin when set; else 30 s, at most a third of the
// time left.
func TestStartMargin(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		set, left, want time.Duration
	}{
		"set":                      {set: 10 * time.Second, left: 15 * time.Minute, want: 10 * time.Second},
		"unset, 15 minutes left":   {left: 15 * time.Minute, want: 30 * time.Second},
		"unset, 30 seconds left":   {left: 30 * time.Second, want: 10 * time.Second},
		"unset, no deadline":       {want: 30 * time.Second},
		"set, under a third":       {set: time.Second, left: 30 * time.Second, want: time.Second},
		"set, more than time left": {set: time.Minute, left: 30 * time.Second, want: time.Minute},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.left > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.left)
				defer cancel()
			}
			got := (&Handler{StartMargin: tc.set}).startMargin(ctx)
			if got < tc.want-100*time.Millisecond || got > tc.want {
				t.Errorf("startMargin = %s, want %s", got, tc.want)
			}
		})
	}
}
