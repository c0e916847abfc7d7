// Package gpio drives a dock station's stack light (green, amber, red) and
// buzzer, and reads digital inputs such as photo-eyes and push buttons,
// through periph.io.
//
// A Light shows a named Pattern ("ok", "reject", "busy", ...); patterns with
// timing run on their own goroutine and a new pattern replaces the running
// one. NewPinLight drives real pins on a Raspberry Pi; NewLogLight is for
// hosts without GPIO and only logs; NewLightWithPins takes any periph.io
// output pins (tests use periph's gpiotest pins).
//
// An Input waits for edge interrupts (periph.io WaitForEdge, no polling) and
// reports each change once it has settled for the debounce time.
//
// The package knows nothing of MQTT or storage: the gateway maps its light
// commands and input events onto this API. See docs/gpio.md for wiring.
package gpio
