package zpl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Check gives the verdict Render gives for the same value.
func TestFieldCheckAgreesWithRender(t *testing.T) {
	r, err := NewRegistry("")
	require.NoError(t, err)
	fields, err := r.Fields("putaway")
	require.NoError(t, err)
	field := func(name string) Field {
		for _, f := range fields {
			if f.Name == name {
				return f
			}
		}
		t.Fatalf("putaway has no field %s", name)
		return Field{}
	}
	base := map[string]string{"lpn": "L000000001", "location": "A-01-1-01"}
	for _, c := range []struct{ field, value string }{
		{"lpn", "L^XA"}, {"lpn", "L000000002"}, {"location", "A-01-1-01-EXTRA-LONG-CODE"}, {"quantity", "0"},
		{"quantity", "100000000"}, {"quantity", "99999999"}, {"expiry", "2027-02-30"}, {"expiry", "2101-01-01"},
		{"expiry", "2027-06-30"}, {"sku", "\xff"}, {"sku", "WIDGET-10"},
	} {
		data := map[string]string{}
		for k, v := range base {
			data[k] = v
		}
		data[c.field] = c.value
		_, renderErr := r.Render("putaway", data, Options{})
		checkErr := field(c.field).Check(c.value)
		assert.Equal(t, renderErr == nil, checkErr == nil, "%s=%q: render %v, check %v", c.field, c.value, renderErr, checkErr)
	}
}
