// Package gs1 turns what a barcode scanner sends into validated GS1 data.
//
// A scanner frame may start with an AIM symbology identifier ("]C1" for
// GS1-128, "]d2" GS1 DataMatrix, "]Q3" GS1 QR Code, "]e0" GS1 DataBar, ...).
// GS1 symbols carry an element string: Application Identifiers (AIs) with
// their data, variable-length fields ended by FNC1, which scanners transmit
// as GS (0x1D) or a configured substitute byte. ParseScan splits the frame,
// ParseElementString and ParseHRI parse the element string or its bracketed
// human-readable form "(01)...(10)...", and every value is checked against
// the GS1 Barcode Syntax Dictionary: length, character set, check digits,
// dates, country codes, required AI pairings (req) and mutually exclusive
// AIs (ex). A bad scan is returned as an *Error with the exact reason; no
// input makes the parser panic.
//
// The dictionary (gs1-syntax-dictionary.txt in this directory) is the GS1
// Barcode Syntax Dictionary, © GS1 AISBL and the BWIPP and Zint projects,
// published under the Apache License 2.0 in the GS1 Syntax Engine project
// (github.com/gs1/gs1-syntax-engine, src/c-lib/). It is embedded verbatim
// and parsed once, on first use. The validation code here is our own.
//
// The package is a leaf: standard library only, no logging, no I/O.
package gs1
