package zpl

import (
	"errors"
	"fmt"
)

// ErrUnknownTemplate is returned (wrapped) by Render and Fields for a
// template name the registry does not hold.
var ErrUnknownTemplate = errors.New("unknown label template")

// FieldError is label data that cannot be printed as asked: a missing or
// unknown field, a value of the wrong form, data a symbology cannot encode,
// or text and bar codes that would fall off the label. Field is "" when the
// problem concerns the label as a whole.
type FieldError struct {
	Template, Field, Reason string
	// tooWide: a GS1-128 symbol of a logistic label that is wider than
	// the label allows (Registry.Render then names a layout it fits).
	tooWide bool
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("label %s: %s", e.Template, e.Reason)
	}
	return fmt.Sprintf("label %s: field %s: %s", e.Template, e.Field, e.Reason)
}

// TemplateError is a template file that was refused: which file, where in
// it (Line 0 when unknown) and why.
type TemplateError struct {
	File   string
	Line   int
	Reason string
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("template %s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("template %s: %s", e.File, e.Reason)
}
