package printer

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"
)

// RetryPolicy says how PrintJob waits for a printer that is offline or not
// ready. Zero values mean the defaults.
type RetryPolicy struct {
	InitialBackoff time.Duration // first wait; default 250 ms
	MaxBackoff     time.Duration // cap of the doubling wait; default 5 s
	// MaxWait bounds the whole job, waiting included; 0 waits as long as
	// ctx allows (an operator may need minutes to load paper).
	MaxWait time.Duration
	// OnWait, if set, is told why the job is waiting ("paper out",
	// "offline: ...") each time PrintJob waits.
	OnWait func(reason string)
	// OnStatus, if set, is told every ~HS answer, or the error of asking,
	// so the caller can keep the printer's health current.
	OnStatus func(HostStatus, error)
	// OnSend, if set, is called just before the label's bytes go out: a
	// caller that stops may still cancel a job up to here, but cut off
	// later the label can neither be confirmed nor safely sent again.
	OnSend func()
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = 250 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 5 * time.Second
	}
	p.MaxBackoff = max(p.MaxBackoff, p.InitialBackoff)
	return p
}

// Result is the outcome of PrintJob.
type Result struct {
	// Printed: the printer received the whole job and reported it finished
	// (nothing left in its buffer, no fault).
	Printed bool
	// Reason says why the job is not printed (or, with Printed, is empty).
	Reason string
	// Attempts counts delivery tries: status checks that found the printer
	// unreachable or not ready, plus the send.
	Attempts int
	// Sent: the job's bytes reached, or may have reached, the printer. When
	// Sent is true and Printed false, do not resend blindly: the printer
	// may still hold the job (it prints after the fault is cleared) or may
	// have printed it; check the printer first.
	Sent bool
	// Before and After are the last status read before sending and after
	// (zero when not read).
	Before, After HostStatus
}

// PrintJob prints one label job without ever printing it twice:
//
//  1. It asks ~HS. If the printer is unreachable or reports a problem
//     (paper out, paused, head open, ...), nothing has been sent, so it
//     waits with capped exponential backoff (telling OnWait why) and asks
//     again.
//  2. When the printer is ready it sends the job once. A send that fails
//     before any byte left this host (ErrNotSent) is retried like step 1.
//     A send that breaks after bytes left, or that the printer does not
//     confirm, is NOT retried: whether the printer got the job cannot be
//     known, and a duplicate shipping label is worse than a reported failure.
//  3. After the printer has confirmed receipt it polls ~HS until the
//     printer has nothing left to print. If a fault appears (e.g. paper ran
//     out mid-job) it waits; the printer itself finishes the job once the
//     fault is cleared, so it is never resent.
//
// It returns when the job is printed, fails, MaxWait passes or ctx ends.
func PrintJob(ctx context.Context, p Printer, zpl []byte, policy RetryPolicy, log zerolog.Logger) Result {
	if len(zpl) == 0 {
		return Result{Reason: "empty job"}
	}
	policy = policy.withDefaults()
	if policy.MaxWait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, policy.MaxWait)
		defer cancel()
	}
	w := waiter{policy: policy, delay: policy.InitialBackoff, log: log}
	var res Result
	reason := ""
	for {
		res.Attempts++
		st, err := p.Status(ctx)
		policy.status(ctx, st, err)
		switch {
		case err != nil && expired(ctx) && reason != "":
			// Time is up while asking again: the last real reason stands.
		case err != nil:
			reason = "offline: " + err.Error()
		case st.Problem() != "":
			res.Before = st
			reason = st.Problem()
		default:
			res.Before = st
			if policy.OnSend != nil {
				policy.OnSend()
			}
			err = p.Print(ctx, zpl)
			if err == nil {
				res.Sent = true
				log.Debug().Int("attempts", res.Attempts).Msg("job delivered")
				return w.untilPrinted(ctx, p, res)
			}
			if !errors.Is(err, ErrNotSent) {
				res.Sent = true
				res.Reason = "sent but not confirmed by the printer, not resent to avoid a duplicate label: " + err.Error()
				log.Error().Err(err).Msg("print job failed mid-send")
				return res
			}
			reason = "send failed: " + err.Error()
		}
		if !w.wait(ctx, reason) {
			res.Reason = reason
			return res
		}
	}
}

// status passes a status check to OnStatus, unless it failed only because
// the caller gave up.
func (p RetryPolicy) status(ctx context.Context, st HostStatus, err error) {
	if p.OnStatus != nil && (err == nil || !expired(ctx)) {
		p.OnStatus(st, err)
	}
}

// expired reports that ctx is done or its deadline has passed (a dial that
// hit the deadline may return before ctx notices).
func expired(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ctx.Err() != nil || (ok && !time.Now().Before(deadline))
}

// reasonPrinting is the wait reason while the printer works through its
// buffer without a problem.
const reasonPrinting = "printing"

// waiter sleeps with capped exponential backoff and reports why.
type waiter struct {
	policy RetryPolicy
	delay  time.Duration
	log    zerolog.Logger
}

// wait returns false when ctx ended (or MaxWait passed) before the delay.
func (w *waiter) wait(ctx context.Context, reason string) bool {
	ev := w.log.Info()
	if reason == reasonPrinting {
		ev = w.log.Debug() // normal progress, not worth an operator's attention
	}
	ev.Str("reason", reason).Dur("retry_in", w.delay).Msg("print job waiting")
	if w.policy.OnWait != nil {
		w.policy.OnWait(reason)
	}
	t := time.NewTimer(w.delay)
	defer t.Stop()
	w.delay = min(2*w.delay, w.policy.MaxBackoff)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// untilPrinted polls until the printer reports the job done.
func (w *waiter) untilPrinted(ctx context.Context, p Printer, res Result) Result {
	w.delay = w.policy.InitialBackoff
	reason := ""
	for {
		st, err := p.Status(ctx)
		w.policy.status(ctx, st, err)
		switch {
		case err != nil && expired(ctx) && reason != "":
			// Time is up while asking again: the last real reason stands.
		case err != nil:
			reason = "printer unreachable after receiving the job: " + err.Error()
		case st.Idle():
			res.After, res.Printed, res.Reason = st, true, ""
			w.log.Info().Int("attempts", res.Attempts).Msg("job printed")
			return res
		case st.Problem() != "":
			res.After = st
			reason = st.Problem()
		default:
			res.After = st
			reason = reasonPrinting
		}
		if !w.wait(ctx, reason) {
			res.Reason = reason + " (the printer holds the job; not resent)"
			return res
		}
	}
}
