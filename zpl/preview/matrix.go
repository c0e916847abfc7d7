package preview

import (
	"fmt"
	"strconv"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/qr"
)

// dataMatrixData turns ^BX field data (after ^FH) into the bytes the
// boombuler encoder takes, applying the quality-200 escape sequences of
// the ZPL II guide (^BX, "Field Data for ^BX"): esc+1 is FNC1, esc+esc the
// escape character itself, esc+dNNN a byte value, esc+@…_ a control
// character (esc+A = 0x01). A symbol that starts with FNC1 is GS1
// DataMatrix; boombuler encodes byte datamatrix.FNC1 as the FNC1
// codeword in such a symbol. ok is false for data the encoder would get
// wrong: the preview then draws nothing rather than a false symbol.
func dataMatrixData(data []byte, esc byte) (content []byte, warns []string, ok bool) {
	var out []byte
	ok = true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != esc || i+1 >= len(data) {
			out = append(out, c)
			continue
		}
		i++
		switch x := data[i]; {
		case x == esc:
			out = append(out, esc)
		case x == '1':
			out = append(out, datamatrix.FNC1)
		case x == 'd' && i+3 < len(data):
			n, err := strconv.Atoi(string(data[i+1 : i+4]))
			if err != nil || n > 255 {
				warns = append(warns, fmt.Sprintf("bad escape %cd%s", esc, data[i+1:i+4]))
			} else {
				out = append(out, byte(n))
			}
			i += 3
		case x >= '@' && x <= '_':
			out = append(out, x-'@')
		default:
			warns = append(warns, fmt.Sprintf("escape %c%c is not supported by the preview; ignored", esc, x))
		}
	}
	gs1 := len(out) > 0 && out[0] == datamatrix.FNC1
	for i, b := range out {
		switch {
		case b == datamatrix.FNC1 && i > 0 && !gs1:
			warns = append(warns, "FNC1 (or byte 0xE8) inside a non-GS1 Data Matrix cannot be previewed; nothing drawn")
			ok = false
		case b >= 128 && b != datamatrix.FNC1 && gs1:
			warns = append(warns, "GS1 Data Matrix data must be ASCII")
		case b == datamatrix.FNC1 && i == 0 && gs1 && data[0] != esc:
			// Byte 0xE8 starting UTF-8 text: the encoder would take it for
			// FNC1 and the preview would not match the printed symbol.
			warns = append(warns, "Data Matrix data starting with byte 0xE8 cannot be previewed; nothing drawn")
			ok = false
		}
	}
	return out, warns, ok
}

// encodeDataMatrix encodes ECC 200 Data Matrix, the smallest square size
// that holds the data (boombuler chooses it).
func encodeDataMatrix(content []byte) (barcode.Barcode, error) {
	code, err := datamatrix.Encode(string(content))
	if err != nil {
		return nil, fmt.Errorf("encode Data Matrix: %w", err)
	}
	return code, nil
}

// qrRequest is a parsed ^BQ field: ^FD<level><mode>,<data>.
type qrRequest struct {
	level qr.ErrorCorrectionLevel
	mode  qr.Encoding
	data  []byte
}

// parseQRData reads the QR field data prefix (ZPL II guide, ^BQ "Field
// data"): an error correction letter H, Q, M or L, then A (automatic
// input) or M (manual input: N numeric, A alphanumeric, Bxxxx bytes).
func parseQRData(data []byte) (qrRequest, error) {
	req := qrRequest{level: qr.Q, mode: qr.Auto}
	if len(data) < 3 || data[2] != ',' {
		return req, fmt.Errorf("QR field data must start with <level><mode>, like QA,")
	}
	switch data[0] {
	case 'H':
		req.level = qr.H
	case 'Q':
		req.level = qr.Q
	case 'M':
		req.level = qr.M
	case 'L':
		req.level = qr.L
	default:
		return req, fmt.Errorf("QR error correction %q is not H, Q, M or L", data[0])
	}
	body := data[3:]
	switch data[1] {
	case 'A':
		req.data = body
		return req, nil
	case 'M':
	default:
		return req, fmt.Errorf("QR input mode %q is not A or M", data[1])
	}
	if len(body) == 0 {
		return req, fmt.Errorf("QR manual input is empty")
	}
	switch body[0] {
	case 'N':
		req.mode, req.data = qr.Numeric, body[1:]
	case 'A':
		req.mode, req.data = qr.AlphaNumeric, body[1:]
	case 'B':
		if len(body) < 5 {
			return req, fmt.Errorf("QR byte input needs a 4-digit length")
		}
		n, err := strconv.Atoi(string(body[1:5]))
		if err != nil || n > len(body)-5 {
			return req, fmt.Errorf("QR byte input length %q does not match the data", body[1:5])
		}
		req.mode, req.data = qr.Unicode, body[5:5+n] // boombuler's byte mode
	default:
		return req, fmt.Errorf("QR manual input type %q is not supported by the preview", body[0])
	}
	return req, nil
}

// encodeQR encodes a QR Code model 2.
func encodeQR(req qrRequest) (barcode.Barcode, error) {
	code, err := qr.Encode(string(req.data), req.level, req.mode)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	return code, nil
}
