// Package putaway decides where received stock should be stored and
// confirms the move when a worker scans the licence plate and then the
// location. Strategies, in order: the item's fixed pick face,
// consolidation with the same item and lot, then the first free bin in
// ABC order (A items nearest the dock); every candidate must match the
// item's temperature zone and have room (pallet positions, volume, weight).
// Stock in quarantine goes to a QC or quarantine location when one exists.
// Like package stock it works on a Tx supplied by the caller.
package putaway

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dockhand/dockhand/central/stock"
)

// Tx is what putaway needs from the caller's transaction.
type Tx interface {
	stock.Tx
	// Targeted counts licence plates suggested to location and not there yet.
	Targeted(location string) (int, error)
}

// Strategies name why a location was chosen.
const (
	PickFace    = "pick-face"
	Consolidate = "consolidate"
	ABCZone     = "abc-zone"
	QCArea      = "qc"
	NoRoom      = "none"
)

// Request describes what is to be put away.
type Request struct {
	Item     stock.Item
	Lot      string
	Quantity int64
	Status   stock.Status
}

// Suggestion is where to put it and why; Location is "" when no location
// has room.
type Suggestion struct {
	Location string `json:"location"`
	Strategy string `json:"strategy"`
}

// Suggest picks a location for req.
func Suggest(tx Tx, req Request) (Suggestion, error) {
	locs, err := tx.Locations()
	if err != nil {
		return Suggestion{}, fmt.Errorf("list locations: %w", err)
	}
	if req.Status != "" && req.Status != stock.Available {
		for _, l := range sortedBy(locs, false) {
			if l.Type == stock.LocQC || l.Type == stock.LocQuarantine {
				return Suggestion{Location: l.Code, Strategy: QCArea}, nil
			}
		}
	}
	if req.Item.PickFace != "" {
		l, err := tx.Location(req.Item.PickFace)
		if err == nil {
			if ok, _, err := fits(tx, l, req); err != nil {
				return Suggestion{}, err
			} else if ok {
				return Suggestion{Location: l.Code, Strategy: PickFace}, nil
			}
		} else if !errors.Is(err, stock.ErrNotFound) {
			return Suggestion{}, err
		}
	}
	ordered := sortedBy(locs, req.Item.ABC == "C")
	for _, l := range ordered {
		if !l.Type.Storage() || l.Code == req.Item.PickFace {
			continue
		}
		qs, err := tx.Quants(l.Code)
		if err != nil {
			return Suggestion{}, err
		}
		if !holdsSame(qs, req) {
			continue
		}
		if ok, _, err := fits(tx, l, req); err != nil {
			return Suggestion{}, err
		} else if ok {
			return Suggestion{Location: l.Code, Strategy: Consolidate}, nil
		}
	}
	for _, l := range ordered {
		if l.Type != stock.LocReserve {
			continue
		}
		qs, err := tx.Quants(l.Code)
		if err != nil {
			return Suggestion{}, err
		}
		if len(qs) > 0 {
			continue
		}
		if ok, _, err := fits(tx, l, req); err != nil {
			return Suggestion{}, err
		} else if ok {
			return Suggestion{Location: l.Code, Strategy: ABCZone}, nil
		}
	}
	return Suggestion{Strategy: NoRoom}, nil
}

// sortedBy orders locations along the walking path from the dock (pick
// sequence, then code); far first when reverse, for slow C items.
func sortedBy(locs []stock.Location, reverse bool) []stock.Location {
	out := append([]stock.Location(nil), locs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if reverse {
			a, b = b, a
		}
		if a.PickSeq != b.PickSeq {
			return a.PickSeq < b.PickSeq
		}
		return a.Code < b.Code
	})
	return out
}

func holdsSame(qs []stock.Quant, req Request) bool {
	for _, q := range qs {
		if q.SKU == req.Item.SKU && q.Lot == req.Lot && q.Status == stock.Available {
			return true
		}
	}
	return false
}

// fits reports whether req can go to l and, if not, why: temperature zone,
// pallet positions (plates there plus plates on their way), volume and
// weight when the item's dimensions are known.
func fits(tx Tx, l stock.Location, req Request) (bool, string, error) {
	if l.TempZone != req.Item.TempZone && !(ambient(l.TempZone) && ambient(req.Item.TempZone)) {
		return false, fmt.Sprintf("%s is %s, %s needs %s", l.Code, orAmbient(l.TempZone), req.Item.SKU, orAmbient(req.Item.TempZone)), nil
	}
	qs, err := tx.Quants(l.Code)
	if err != nil {
		return false, "", err
	}
	if c := l.PalletCapacity(); c > 0 {
		plates := map[string]bool{}
		for _, q := range qs {
			plates[q.LPN] = true
		}
		t, err := tx.Targeted(l.Code)
		if err != nil {
			return false, "", err
		}
		if len(plates)+t+1 > c {
			return false, fmt.Sprintf("%s is full (%d of %d pallet positions used or promised)", l.Code, len(plates)+t, c), nil
		}
	}
	if l.MaxVolumeCM3 == 0 && l.MaxWeightG == 0 {
		return true, "", nil
	}
	// Checked sums: a total too large to count fits no location.
	var vol, wt int64
	ok := true
	add := func(total *int64, per, qty int64) {
		n, mulOK := stock.Mul(per, qty)
		t, addOK := stock.Add(*total, n)
		ok = ok && mulOK && addOK
		*total = t
	}
	add(&vol, req.Item.Dims.VolumeCM3(), req.Quantity)
	add(&wt, weight(req.Item), req.Quantity)
	for _, q := range qs {
		it, err := tx.Item(q.SKU)
		if err != nil {
			return false, "", fmt.Errorf("item %s at %s: %w", q.SKU, l.Code, err)
		}
		add(&vol, it.Dims.VolumeCM3(), q.Quantity)
		add(&wt, weight(it), q.Quantity)
	}
	if !ok {
		return false, fmt.Sprintf("%s: volume or weight of its stock is too large to count", l.Code), nil
	}
	if l.MaxVolumeCM3 > 0 && vol > l.MaxVolumeCM3 {
		return false, fmt.Sprintf("%s would hold %d cm³, capacity %d", l.Code, vol, l.MaxVolumeCM3), nil
	}
	if l.MaxWeightG > 0 && wt > l.MaxWeightG {
		return false, fmt.Sprintf("%s would hold %d g, capacity %d", l.Code, wt, l.MaxWeightG), nil
	}
	return true, "", nil
}

func weight(it stock.Item) int64 {
	if it.Dims == nil {
		return 0
	}
	return it.Dims.WeightG
}

func ambient(z string) bool { return z == "" || z == "ambient" }

func orAmbient(z string) string {
	if z == "" {
		return "ambient"
	}
	return z
}

// Confirmation is a worker's scan of a licence plate and then a location.
type Confirmation struct {
	LPN      string
	Location string
	By       string
	Event    string
	At       time.Time
	NewID    func() string
}

// Result is what a confirmed putaway did. MoveOrder is the move order the
// scan completed, if the plate had one.
type Result struct {
	LPN       stock.LPN
	Deviated  bool
	MoveOrder string
	Movements []stock.Posted
}

// Refused is a putaway the worker must correct; nothing changed. Its Kind
// is the kind of alert it raises at a station: one of the MQTT contract's
// (wire.AlertKinds; domain packages do not import it, central/app's
// tests check it).
type Refused struct {
	Kind    string
	Message string
}

// Why a putaway is refused.
const (
	UnknownLPN      = "unknown-lpn"
	UnknownLocation = "unknown-location"
	WrongLocation   = "wrong-location"
)

// RefusalKinds lists every Refused.Kind.
var RefusalKinds = []string{UnknownLPN, UnknownLocation, WrongLocation}

func (r *Refused) Error() string { return r.Message }

// Confirm moves everything on the licence plate from where it is to the
// scanned location. A location other than the suggestion is accepted when
// the stock fits there, and recorded as a deviation; otherwise Confirm
// returns *Refused.
func Confirm(tx Tx, c Confirmation) (Result, error) {
	lpn, err := tx.LPN(c.LPN)
	if errors.Is(err, stock.ErrNotFound) {
		return Result{}, &Refused{Kind: UnknownLPN, Message: fmt.Sprintf("licence plate %s is not known", c.LPN)}
	} else if err != nil {
		return Result{}, err
	}
	loc, err := tx.Location(c.Location)
	if errors.Is(err, stock.ErrNotFound) {
		return Result{}, &Refused{Kind: UnknownLocation, Message: fmt.Sprintf("location %s does not exist", c.Location)}
	} else if err != nil {
		return Result{}, err
	}
	if loc.Code == lpn.Location {
		return Result{}, &Refused{Kind: WrongLocation, Message: fmt.Sprintf("licence plate %s is already at %s", lpn.Code, loc.Code)}
	}
	qs, err := tx.Quants(lpn.Location)
	if err != nil {
		return Result{}, err
	}
	var on []stock.Quant
	for _, q := range qs {
		if q.LPN == lpn.Code {
			on = append(on, q)
		}
	}
	if len(on) == 0 {
		return Result{}, &Refused{Kind: UnknownLPN, Message: fmt.Sprintf("licence plate %s has no stock at %s", lpn.Code, lpn.Location)}
	}
	deviated := loc.Code != lpn.Putaway
	if deviated {
		if why, err := unsuitable(tx, loc, lpn, on); err != nil {
			return Result{}, err
		} else if why != "" {
			return Result{}, &Refused{Kind: WrongLocation, Message: fmt.Sprintf("cannot put %s away to %s: %s", lpn.Code, loc.Code, why)}
		}
	}
	res := Result{Deviated: deviated, MoveOrder: lpn.MoveOrder}
	reason, doc := "putaway", lpn.Receipt
	if lpn.MoveOrder != "" {
		reason, doc = "move", lpn.MoveOrder
	}
	if deviated {
		reason += "-deviation"
	}
	for _, q := range on {
		posted, err := stock.Post(tx, stock.Movement{ID: c.NewID(), At: c.At, SKU: q.SKU,
			Quantity: q.Quantity, From: q.Location, To: loc.Code, LPN: q.LPN, Lot: q.Lot, Expiry: q.Expiry, Serial: q.Serial,
			FromStatus: q.Status, ToStatus: q.Status, Reason: reason, Doc: doc, By: c.By, Event: c.Event,
			Note: suggestedNote(deviated, lpn.Putaway)})
		if err != nil {
			return Result{}, fmt.Errorf("move %s to %s: %w", lpn.Code, loc.Code, err)
		}
		res.Movements = append(res.Movements, posted)
	}
	at := c.At
	lpn.Suggested, lpn.Putaway, lpn.PutawayTo, lpn.PutawayAt, lpn.Deviated = lpn.Putaway, "", loc.Code, &at, deviated
	lpn.Location, lpn.MoveOrder = loc.Code, ""
	if err := tx.PutLPN(lpn); err != nil {
		return Result{}, err
	}
	res.LPN = lpn
	return res, nil
}

func suggestedNote(deviated bool, suggested string) string {
	if !deviated {
		return ""
	}
	if suggested == "" {
		return "no location was suggested"
	}
	return "suggested " + suggested
}

// unsuitable says why a worker's own choice of location cannot take the
// plate, or "" when it can.
func unsuitable(tx Tx, loc stock.Location, lpn stock.LPN, on []stock.Quant) (string, error) {
	switch {
	case loc.Type.Storage():
	case lpn.Status != stock.Available && (loc.Type == stock.LocQC || loc.Type == stock.LocQuarantine):
	default:
		return fmt.Sprintf("%s is a %s location, not storage", loc.Code, loc.Type), nil
	}
	var qty int64
	for _, q := range on {
		var ok bool
		if qty, ok = stock.Add(qty, q.Quantity); !ok {
			return "", stock.Overflow("quantity on " + lpn.Code)
		}
	}
	it, err := tx.Item(lpn.SKU)
	if err != nil {
		return "", fmt.Errorf("item %s on %s: %w", lpn.SKU, lpn.Code, err)
	}
	_, why, err := fits(tx, loc, Request{Item: it, Lot: lpn.Lot, Quantity: qty, Status: lpn.Status})
	return why, err
}
