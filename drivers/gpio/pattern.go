package gpio

import (
	"fmt"
	"strings"
	"time"
)

// Pattern names what a station light (stack light + buzzer) shows. The string
// values are the ones used in configuration and in MQTT light commands.
type Pattern string

// The defined patterns. Timings are listed in docs/gpio.md.
const (
	// PatternOff switches every lamp and the buzzer off.
	PatternOff Pattern = "off"
	// PatternOK lights green for 1 s, then everything goes off (one-shot).
	PatternOK Pattern = "ok"
	// PatternReject lights red and gives three short beeps, 2 s in all, then
	// everything goes off (one-shot).
	PatternReject Pattern = "reject"
	// PatternBusy holds amber on until replaced.
	PatternBusy Pattern = "busy"
	// PatternWait holds amber on until replaced (same output as busy; kept as
	// its own name so Current reports what was asked for).
	PatternWait Pattern = "wait"
	// PatternFault blinks red (1 Hz) until replaced; the buzzer sounds during
	// the first red flash only, so a fault is noticed without a constant alarm.
	PatternFault Pattern = "fault"
	// PatternAttention blinks amber (1 Hz) until replaced.
	PatternAttention Pattern = "attention"
	// PatternTest is a lamp test for technicians: green, amber, red 0.5 s each,
	// then a short beep, then off (one-shot).
	PatternTest Pattern = "test"
)

// Patterns lists every defined pattern, in documentation order.
func Patterns() []Pattern {
	return []Pattern{PatternOff, PatternOK, PatternReject, PatternBusy, PatternWait,
		PatternFault, PatternAttention, PatternTest}
}

// ParsePattern accepts a pattern name, ignoring case and surrounding spaces.
func ParsePattern(s string) (Pattern, error) {
	p := Pattern(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := programs[p]; !ok {
		return "", fmt.Errorf("gpio: unknown light pattern %q (want one of %v)", s, Patterns())
	}
	return p, nil
}

// outputs is a bit set of the station light's outputs.
type outputs uint8

const (
	outGreen outputs = 1 << iota
	outAmber
	outRed
	outBuzzer
)

// step holds a set of outputs on for a duration.
type step struct {
	on  outputs
	dur time.Duration
}

// program is how a pattern drives the outputs: the once steps play first,
// then the loop steps repeat until the pattern is replaced. Once steps without
// loop steps make a one-shot: afterwards everything goes off and the light
// reports PatternOff. A program with no steps holds hold until replaced.
type program struct {
	once []step
	loop []step
	hold outputs
}

const (
	beep  = 150 * time.Millisecond
	blink = 500 * time.Millisecond
)

var programs = map[Pattern]program{
	PatternOff:  {},
	PatternOK:   {once: []step{{outGreen, time.Second}}},
	PatternBusy: {hold: outAmber},
	PatternWait: {hold: outAmber},
	PatternReject: {once: []step{
		{outRed | outBuzzer, beep}, {outRed, beep},
		{outRed | outBuzzer, beep}, {outRed, beep},
		{outRed | outBuzzer, beep}, {outRed, 2*time.Second - 5*beep},
	}},
	PatternFault: {
		once: []step{{outRed | outBuzzer, blink}, {0, blink}},
		loop: []step{{outRed, blink}, {0, blink}},
	},
	PatternAttention: {loop: []step{{outAmber, blink}, {0, blink}}},
	PatternTest: {once: []step{
		{outGreen, blink}, {outAmber, blink}, {outRed, blink}, {outBuzzer, 200 * time.Millisecond},
	}},
}

// String lists the outputs that are on, for logs ("green+buzzer", "none").
func (o outputs) String() string {
	var parts []string
	for _, n := range []struct {
		bit  outputs
		name string
	}{{outGreen, "green"}, {outAmber, "amber"}, {outRed, "red"}, {outBuzzer, "buzzer"}} {
		if o&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}
