package stock

import "time"

// LPN is a licence plate: a pallet or case with a code (an SSCC or one
// central issued) that stock sits on. What is on it lives in the quants
// keyed by its code; the record says where it came from and where it is
// going. Parent nests a case on a pallet.
type LPN struct {
	Code       string    `json:"code"`
	Parent     string    `json:"parent,omitempty"`
	SKU        string    `json:"sku"`
	Quantity   int64     `json:"quantity"` // as received
	Lot        string    `json:"lot,omitempty"`
	Expiry     string    `json:"expiry,omitempty"`
	Status     Status    `json:"status"`
	Location   string    `json:"location"`
	ASN        string    `json:"asn,omitempty"`
	Receipt    string    `json:"receipt"`
	ReceivedAt time.Time `json:"received_at"`
	// Putaway is the suggested destination while the plate waits to be
	// put away; "" once it is stored.
	Putaway string `json:"putaway,omitempty"`
	// PutawayTo and PutawayAt record the confirmed putaway; Deviated is
	// true when the worker chose another valid location.
	PutawayTo string     `json:"putaway_to,omitempty"`
	PutawayAt *time.Time `json:"putaway_at,omitempty"`
	Deviated  bool       `json:"deviated,omitempty"`
	Suggested string     `json:"suggested,omitempty"`
	// MoveOrder is the open move order that set Putaway, if any.
	MoveOrder string `json:"move_order,omitempty"`
}

// Alert is something operations staff must hear about (a discrepancy, a
// wrong location); adapters publish it on ops/alert.
type Alert struct {
	Kind     string            `json:"kind"`
	Severity string            `json:"severity"` // info, warning
	Message  string            `json:"message"`
	Ref      string            `json:"ref,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
	// Device is the device the alert is about, if any.
	Device string `json:"device,omitempty"`
	// Class groups alerts that are the same problem though their messages
	// differ (the data of each bad scan); "" means the message itself.
	// Repeats of one class are collapsed (central/alerting).
	Class string `json:"class,omitempty"`
	// Count, First and Last are set on a summary of collapsed repeats:
	// how many alerts like this one were held back, the first and last
	// time one was raised.
	Count int64      `json:"count,omitempty"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}
