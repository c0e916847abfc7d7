// Package epc decodes and encodes the 96-bit EPC binary schemes of the GS1
// EPC Tag Data Standard (TDS) that a warehouse meets on UHF tags: SGTIN-96
// (trade items), SSCC-96 (pallets and logistic units), SGLN-96 (locations)
// and GRAI-96 (returnable assets).
//
// Decode turns the EPC bank content a reader reports into the pure-identity
// URI (urn:epc:id:...), the tag URI (urn:epc:tag:...) and the GS1 key with
// its element string, so a tag read can be matched against barcode scans of
// the same item. The Encode functions build the binary form, for label
// printers with RFID inlays, simulators and tests.
//
// It is a leaf package: it depends only on drivers/gs1 for check digits.
package epc
