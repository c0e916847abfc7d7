// Package zpl turns label data into ZPL II for Zebra printers: the one place
// in Dockhand where labels are made.
//
// A label is a template (a small YAML file, see docs/labels.md) with named,
// typed fields and elements placed in millimetres or dots: text in the
// printer's scalable font, boxes and lines, Code 128, GS1-128, DataMatrix
// (plain and GS1) and QR codes. Built-in templates are embedded
// (templates/*.yaml); users add or replace templates with files in their
// template directory, read by NewRegistry.
//
// Render checks everything before it writes a byte: unknown and missing
// fields, values of the wrong form (SSCC and GTIN check digits, dates,
// counts), data a symbology cannot encode, text and bar codes that would
// fall off the label at the printer's resolution (text first shrinks down
// to its min-size), GS1-128 symbols outside the GS1 logistic label
// specification (gs1logistic.go; internal-only templates opt out). Each
// problem comes back as a *FieldError naming the field.
//
// Field data never becomes ZPL commands: text is written with ^FH hex
// escapes for '^', '~', '_' and control bytes and ^CI28 (UTF-8), so Chinese
// item names print as they are; bar code data is restricted to characters
// the symbology takes and written with its own escapes.
//
// The ZPL written stays within a small command subset (listed in
// docs/labels.md) that the zpl/preview renderer draws.
package zpl
