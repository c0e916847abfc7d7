package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/drivers/gs1"
	"github.com/dockhand/dockhand/internal/wire"
	"github.com/dockhand/dockhand/zpl"
)

// Values central later prints are checked at the API with the rules of
// the label fields they land in (zpl.Field.Check) and, for lots, of GS1
// AI 10: what the gateway would refuse at the printer is refused here,
// so no pallet is ever received without its label.

// The two labels a receipt prints.
const (
	pallet = string(wire.TemplateSSCCPallet)
	plate  = string(wire.TemplatePutaway)
)

// labelFields are the built-in template fields named "template.field".
func labelFields(names ...string) []zpl.Field {
	var out []zpl.Field
	for _, n := range names {
		tmpl, field, _ := strings.Cut(n, ".")
		fs, err := builtinLabels.Fields(tmpl)
		if err != nil {
			panic(fmt.Sprintf("app: label template %s: %v", tmpl, err))
		}
		found := false
		for _, f := range fs {
			if f.Name == field {
				out, found = append(out, f), true
			}
		}
		if !found {
			panic("app: label template " + tmpl + " has no field " + field)
		}
	}
	return out
}

var builtinLabels = func() *zpl.Registry {
	r, err := zpl.NewRegistry("")
	if err != nil {
		panic("app: built-in label templates: " + err.Error())
	}
	return r
}()

// Where central prints what the API accepts (receiveLabel: the
// pallet label for an SSCC, the putaway label for cases).
var (
	skuOnLabels      = labelFields(pallet+".sku", plate+".sku")
	nameOnLabels     = labelFields(pallet+".item", plate+".item")
	locationOnLabels = labelFields(pallet+".putaway", plate+".location")
	supplierOnLabel  = labelFields(pallet + ".from")
	palletOnLabel    = labelFields(pallet + ".quantity")
	palletLotOnLabel = labelFields(pallet + ".lot")
	caseLotOnLabel   = labelFields(plate + ".lot")
	expiryOnLabels   = labelFields(pallet+".expiry", plate+".expiry")
)

// checkLabel adds the first reason a label field refuses value; an empty
// value is not printed.
func checkLabel(v stock.Invalid, field, value string, on []zpl.Field) stock.Invalid {
	if value == "" {
		return v
	}
	for _, f := range on {
		if err := f.Check(value); err != nil {
			v.Add(field, "cannot be printed on the labels: %v", err)
			return v
		}
	}
	return v
}

// checkLots adds a problem unless lot is empty or valid GS1 AI 10 data
// (batch/lot: at most 20 characters of GS1 character set 82), checked by
// the GS1 parser that reads the scans.
func checkLots(v stock.Invalid, field, lot string) stock.Invalid {
	if lot == "" {
		return v
	}
	if strings.IndexByte(lot, gs1.GS) >= 0 {
		v.Add(field, "not a GS1 batch/lot (AI 10): contains a group separator")
		return v
	}
	els, err := gs1.ParseElementString("10"+lot, gs1.Options{SkipRequired: true})
	var ge *gs1.Error
	switch {
	case errors.As(err, &ge) && ge.Pos >= 2:
		v.Add(field, "not a GS1 batch/lot (AI 10): at character %d: %s", ge.Pos-1, ge.Reason)
	case errors.As(err, &ge):
		v.Add(field, "not a GS1 batch/lot (AI 10): %s", ge.Reason)
	case err != nil || len(els) != 1 || els[0].Value != lot:
		v.Add(field, "not a GS1 batch/lot (AI 10)")
	}
	return v
}

func checkItem(it stock.Item) stock.Invalid {
	var v stock.Invalid
	v = checkLabel(v, "sku", it.SKU, skuOnLabels)
	return checkLabel(v, "name", it.Name, nameOnLabels)
}

func checkLocation(l stock.Location) stock.Invalid {
	return checkLabel(nil, "code", l.Code, locationOnLabels)
}

func checkSupplier(s purchasing.Supplier) stock.Invalid {
	return checkLabel(nil, "id", s.ID, supplierOnLabel)
}

// checkASN checks what the pallet and putaway labels print of an ASN: a
// pallet's lot, expiry and quantity, a line's lot and expiry.
func checkASN(a inbound.ASN) stock.Invalid {
	v := checkLabel(nil, "supplier", a.Supplier, supplierOnLabel)
	for i, p := range a.Pallets {
		f := fmt.Sprintf("pallets[%d].", i)
		v = checkLots(v, f+"lot", p.Lot)
		v = checkLabel(v, f+"lot", p.Lot, palletLotOnLabel)
		v = checkLabel(v, f+"expiry", p.Expiry, expiryOnLabels)
		v = checkLabel(v, f+"quantity", strconv.FormatInt(p.Quantity, 10), palletOnLabel)
	}
	for i, l := range a.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		v = checkLots(v, f+"lot", l.Lot)
		v = checkLabel(v, f+"lot", l.Lot, caseLotOnLabel)
		v = checkLabel(v, f+"expiry", l.Expiry, expiryOnLabels)
	}
	return v
}

// merge joins the problems found before the transaction (pre) with the
// error of the step that needed the store, so one answer names every
// field; a field named twice keeps its first reason. An error that is not
// about fields (a conflict, a store failure) wins.
func merge(err error, pre stock.Invalid) error {
	if len(pre) == 0 {
		return err
	}
	var inv stock.Invalid
	if err != nil && !errors.As(err, &inv) {
		return err
	}
	out := append(stock.Invalid{}, inv...)
	named := map[string]bool{}
	for _, f := range inv {
		named[f.Field] = true
	}
	for _, f := range pre {
		if !named[f.Field] {
			out, named[f.Field] = append(out, f), true
		}
	}
	return out
}
