package zpl

import "errors"

// Check says why v cannot be printed in field f — the same rules Render
// applies to each value before any layout: valid UTF-8, the field's
// maximum length and the form its kind requires — or returns nil. A
// service that accepts data it will later print (central's API) refuses
// with it at its door what a gateway would otherwise refuse at the
// printer. Whether text fits the label is only known when rendering.
func (f Field) Check(v string) error {
	if _, why := f.normalize(v); why != "" {
		return errors.New(why)
	}
	return nil
}
