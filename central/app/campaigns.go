package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/central/store"
)

// Use cases of promotions and pre-sales.

// checkSelling checks what a promotion, pre-sale or transfer names: its
// channel (if any), its item and its warehouse.
func (t *Tx) checkSelling(v *stock.Invalid, channel, sku, warehouse string) error {
	if channel != "" {
		if _, err := t.st.Channel(channel); errors.Is(err, stock.ErrNotFound) {
			v.Add("channel", "channel %q does not exist", channel)
		} else if err != nil {
			return err
		}
	}
	if sku != "" {
		if _, err := t.st.Item(sku); errors.Is(err, stock.ErrNotFound) {
			v.Add("sku", "item %q does not exist", sku)
		} else if err != nil {
			return err
		}
	}
	if warehouse != routing.Main {
		if _, err := t.st.WarehouseByCode(warehouse); errors.Is(err, stock.ErrNotFound) {
			v.Add("warehouse", "warehouse %q does not exist", warehouse)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// CreatePromotion sets units of an item in a warehouse aside for a
// channel's campaign: nobody else can promise them while it runs. They
// must be free to promise now.
func (t *Tx) CreatePromotion(p campaigns.Promotion) (campaigns.Promotion, error) {
	now := t.now()
	v, _ := p.Validate(now).(stock.Invalid)
	if err := t.checkSelling(&v, p.Channel, p.SKU, p.Warehouse); err != nil {
		return p, err
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	if err := exists(t.st.Promotion, p.ID, "promotion"); err != nil {
		return p, err
	}
	pool := stock.Pool{SKU: p.SKU, Warehouse: p.Warehouse}
	atp, err := stock.AvailableToPromise(t.st, pool)
	if err != nil {
		return p, err
	}
	if atp < p.Quantity {
		return p, stock.Invalid{{Field: "quantity", Reason: fmt.Sprintf("only %d of %s are free to set aside in %s", atp, p.SKU, whName(p.Warehouse))}}
	}
	p.Reservation, p.Left, p.Status, p.Created = campaigns.ReservationOf(p.ID), p.Quantity, campaigns.Active, now
	if _, err := stock.Reserve(t.st, stock.Reservation{ID: p.Reservation, Order: campaigns.Owner(p.ID), Line: "0", SKU: p.SKU,
		Warehouse: p.Warehouse, Quantity: p.Quantity, Created: now}); err != nil {
		return p, err
	}
	if p.Ends != nil {
		if err := t.st.SetTimer(store.Timer{Kind: timerPromotionEnd, Ref: p.ID, Due: *p.Ends}); err != nil {
			return p, err
		}
	}
	if err := t.st.MarkLayers(p.SKU); err != nil {
		return p, err
	}
	return p, t.st.PutPromotion(p)
}

// EndPromotion ends a campaign: what it still sets aside returns to
// everyone, and goes to whoever waits for it in the same transaction.
func (t *Tx) EndPromotion(id string) (campaigns.Promotion, error) {
	p, err := t.st.Promotion(id)
	if err != nil {
		return p, err
	}
	if p.Status != campaigns.Active {
		return p, stock.Invalid{{Field: "status", Reason: "promotion " + id + " has ended already"}}
	}
	if p.Left > 0 {
		if _, err := stock.Release(t.st, p.Reservation, p.Left); err != nil {
			return p, err
		}
	}
	now := t.now()
	p.Returned += p.Left
	p.Left, p.Status, p.EndedAt = 0, campaigns.Ended, &now
	if err := t.st.CancelTimer(timerPromotionEnd, id); err != nil {
		return p, err
	}
	if err := t.st.PutPromotion(p); err != nil {
		return p, err
	}
	if err := t.st.MarkLayers(p.SKU); err != nil {
		return p, err
	}
	return p, t.serve(stock.Pool{SKU: p.SKU, Warehouse: p.Warehouse})
}

// CreatePresale opens a pre-sale: up to cap units of an item that an open
// ASN or approved purchase order still brings may be sold before they
// arrive. The cap may not exceed what the source still brings.
func (t *Tx) CreatePresale(p campaigns.Presale) (campaigns.Presale, error) {
	v, _ := p.Validate().(stock.Invalid)
	if err := t.checkSelling(&v, p.Channel, p.SKU, p.Warehouse); err != nil {
		return p, err
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	if err := exists(t.st.Presale, p.ID, "pre-sale"); err != nil {
		return p, err
	}
	open, received, err := t.openQuantity(p)
	if err != nil {
		return p, err
	}
	others, err := t.st.Presales()
	if err != nil {
		return p, err
	}
	for _, o := range others {
		if o.SKU == p.SKU && o.ASN == p.ASN && o.PO == p.PO {
			return p, stock.Invalid{{Field: sourceField(p), Reason: fmt.Sprintf("pre-sale %s already sells %s ahead on %s", o.ID, p.SKU, p.Source())}}
		}
	}
	if p.Cap > open {
		return p, stock.Invalid{{Field: "cap", Reason: fmt.Sprintf("%s still brings %d of %s; the cap cannot be more", p.Source(), open, p.SKU)}}
	}
	p.Baseline, p.Status, p.Created = received, campaigns.Active, t.now()
	if err := t.st.MarkLayers(p.SKU); err != nil {
		return p, err
	}
	return p, t.st.PutPresale(p)
}

func sourceField(p campaigns.Presale) string {
	if p.ASN != "" {
		return "asn"
	}
	return "po"
}

// openQuantity is what a pre-sale's source still brings of its item and
// what it has received of it; a source that is not open is a field error.
func (t *Tx) openQuantity(p campaigns.Presale) (open, received int64, err error) {
	expected, received, status, err := t.sourceOf(p)
	field, doc, isOpen := "asn", "ASN "+p.ASN, status == inbound.ASNOpen
	if p.ASN == "" {
		field, doc, isOpen = "po", "purchase order "+p.PO, status == purchasing.Approved || status == purchasing.PartiallyReceived
	}
	switch {
	case errors.Is(err, stock.ErrNotFound):
		return 0, 0, stock.Invalid{{Field: field, Reason: doc + " does not exist"}}
	case err != nil:
		return 0, 0, err
	case !isOpen:
		return 0, 0, stock.Invalid{{Field: field, Reason: doc + " is " + status + ", not open for receiving"}}
	}
	return max(expected-received, 0), received, nil
}

// endPromotionDue ends a promotion whose end has come (the timer's use
// case); one ended meanwhile stays as it is.
func (t *Tx) endPromotionDue(id string, _ time.Time) error {
	p, err := t.st.Promotion(id)
	if errors.Is(err, stock.ErrNotFound) || err == nil && p.Status != campaigns.Active {
		return nil
	} else if err != nil {
		return err
	}
	_, err = t.EndPromotion(id)
	return err
}
