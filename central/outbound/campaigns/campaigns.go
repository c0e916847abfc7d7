// Package campaigns is stock sold on special terms: promotions, which set
// units of an item aside for a campaign of one channel (only the
// campaign's orders draw on them; what is left returns when it ends), and
// pre-sales, which sell up to a cap of an item still on its way (an open
// ASN or purchase order) and are served in order of purchase when it
// arrives.
package campaigns

import (
	"strings"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Promotion and pre-sale states.
const (
	Active = "active"
	Ended  = "ended"
)

// Promotion sets Quantity units of an item aside in a warehouse for a
// channel's campaign: a reservation of the stock kernel holds the units
// still set aside (Left), so nobody else can promise them. Quantity =
// Left + Used + Returned.
type Promotion struct {
	ID        string `json:"id"`
	Channel   string `json:"channel"`
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse,omitempty"`
	Quantity  int64  `json:"quantity"`
	// Left is still set aside, Used went to the campaign's orders,
	// Returned went back to everyone (the campaign ended, or stock set
	// aside was lost).
	Left        int64      `json:"left"`
	Used        int64      `json:"used"`
	Returned    int64      `json:"returned"`
	Reservation string     `json:"reservation"`
	Ends        *time.Time `json:"ends,omitempty"`
	Status      string     `json:"status"`
	Created     time.Time  `json:"created"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// ReservationOf is the id of the reservation that holds a promotion's
// set-aside stock; SetAside recognises such reservations by their order.
func ReservationOf(id string) string { return "promo-" + id }

// owner is the Order of a promotion's reservation.
const owner = "promotion:"

// Owner is what a promotion's reservation names as its order.
func Owner(id string) string { return owner + id }

// PromotionOf is the promotion whose set-aside stock a reservation holds
// (ok false: it promises stock to an order line).
func PromotionOf(r stock.Reservation) (id string, ok bool) { return strings.CutPrefix(r.Order, owner) }

// SetAside reports whether a reservation holds stock for a promotion
// rather than for an order line.
func SetAside(r stock.Reservation) bool {
	_, ok := PromotionOf(r)
	return ok
}

// Validate checks a new promotion's fields (that the channel, item and
// warehouse exist is the caller's to check); now refuses an end in the past.
func (p Promotion) Validate(now time.Time) error {
	var v stock.Invalid
	if !stock.ValidCode(p.ID) || len(p.ID) > 40 {
		v.Add("id", "must be 1-40 characters without spaces, '/', '|', '+', '#', '%%' or '?'")
	}
	if p.Channel == "" {
		v.Add("channel", "is required: the channel whose campaign it is")
	}
	if p.SKU == "" {
		v.Add("sku", "is required")
	}
	v.Quantity("quantity", p.Quantity, 1)
	if p.Ends != nil && !p.Ends.After(now) {
		v.Add("ends", "%s is in the past", p.Ends.UTC().Format(time.RFC3339))
	}
	if p.Left != 0 || p.Used != 0 || p.Returned != 0 || p.Reservation != "" || p.Status != "" || !p.Created.IsZero() || p.EndedAt != nil {
		v.Add("status", "left, used, returned, reservation, status, created and ended_at are kept by central")
	}
	return v.Err()
}

// Draw is how much of want a campaign order line gets from the promotion.
func (p Promotion) Draw(want int64) int64 {
	if p.Status != Active {
		return 0
	}
	return min(want, p.Left)
}

// Presale sells up to Cap units of an item before they arrive, against the
// open quantity of an ASN or a purchase order. Orders beyond the cap are
// promised like any other; the buyers are served from the goods when they
// are received into Warehouse, in order of purchase.
type Presale struct {
	ID        string `json:"id"`
	Channel   string `json:"channel"`
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse,omitempty"`
	ASN       string `json:"asn,omitempty"`
	PO        string `json:"po,omitempty"`
	Cap       int64  `json:"cap"`
	// Sold is what orders bought ahead, Served what was promised to them
	// from the goods that arrived; Baseline is what the ASN or PO had
	// received of the item when the pre-sale began.
	Sold     int64     `json:"sold"`
	Served   int64     `json:"served"`
	Baseline int64     `json:"baseline"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

// Validate checks a new pre-sale's fields (that the source is open and has
// room for the cap is the caller's to check).
func (p Presale) Validate() error {
	var v stock.Invalid
	if !stock.ValidCode(p.ID) {
		v.Add("id", "must be %s", stock.CodeRule)
	}
	if p.Channel == "" {
		v.Add("channel", "is required: the channel that sells ahead")
	}
	if p.SKU == "" {
		v.Add("sku", "is required")
	}
	if (p.ASN == "") == (p.PO == "") {
		v.Add("asn", "name exactly one of asn and po: the goods the pre-sale sells ahead")
	}
	v.Quantity("cap", p.Cap, 1)
	if p.Sold != 0 || p.Served != 0 || p.Baseline != 0 || p.Status != "" || !p.Created.IsZero() {
		v.Add("status", "sold, served, baseline, status and created are kept by central")
	}
	return v.Err()
}

// Source is the document the pre-sale sells against.
func (p Presale) Source() string {
	if p.ASN != "" {
		return "ASN " + p.ASN
	}
	return "PO " + p.PO
}

// Sell is how much of want a pre-sale order line may buy ahead.
func (p Presale) Sell(want int64) int64 {
	if p.Status != Active {
		return 0
	}
	return min(want, p.Cap-p.Sold)
}

// Allowance is how many waiting buyers the pre-sale may serve now that
// its source has received arrived units of the item in all.
func (p Presale) Allowance(received int64) int64 {
	return max(0, min(received-p.Baseline, p.Sold)-p.Served)
}
