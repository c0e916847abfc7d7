// Package wire holds Dockhand's MQTT contract: topic names, the message
// envelope and the payload of every message type. Gateway and central both
// import it so that the two sides cannot drift apart; docs/mqtt.md describes
// the same contract for people.
package wire
