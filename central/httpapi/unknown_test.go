package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
)

// unknownMember names what encoding/json's DisallowUnknownFields refuses;
// encoding/json itself is the independent implementation it is checked
// against: for request bodies with members added at random places (some
// differing from a field only in case, which encoding/json accepts), both
// must agree on whether a member is unknown and which.
func TestUnknownMemberAgreesWithEncodingJSON(t *testing.T) {
	samples := []any{
		stock.Item{SKU: "A", Name: "x", Packs: []stock.Pack{{UoM: "case", Quantity: 2, Dims: &stock.Dims{LengthMM: 1}}}, Dims: &stock.Dims{}},
		inbound.ASN{ID: "A", Pallets: []inbound.ExpectedPallet{{SSCC: "1", SKU: "A", Quantity: 1}}, Lines: []inbound.ExpectedLine{{SKU: "A"}},
			Tolerance: &inbound.Tolerance{}},
		poRequest{PO: purchasing.PO{ID: "P", Lines: []purchasing.Line{{SKU: "A"}}}, By: "b"},
		submitRequest{Lines: []counting.Line{{SKU: "A", Quantity: 1}}},
		counting.Policy{Days: map[string]int{"A": 1}},
		moves.Move{SKU: "A"}, quality.Plan{ID: "p"}, actor{By: "b"}, putawayRequest{Location: "L"},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, sample := range samples {
		for range 200 {
			var tree any
			require.NoError(t, json.Unmarshal(mustMarshal(t, sample), &tree))
			added := mutate(r, tree)
			body := mustMarshal(t, tree)
			typ := reflect.TypeOf(sample)
			v := reflect.New(typ).Interface()
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			err := dec.Decode(v)
			name, found := unknownMember(body, reflect.PointerTo(typ))
			if err == nil {
				assert.False(t, found, "%T %s: encoding/json took it, yet %q is called unknown", sample, body, name)
				continue
			}
			want, isUnknown := strings.CutPrefix(err.Error(), "json: unknown field ")
			require.True(t, isUnknown, "%T %s: %v (added %s)", sample, body, err, added)
			assert.True(t, found, "%T %s", sample, body)
			assert.Equal(t, strings.Trim(want, `"`), name, "%T %s", sample, body)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// mutate adds a member to a random object of tree: a made-up name, or a
// known one in another case.
func mutate(r *rand.Rand, tree any) string {
	var objects []map[string]any
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			objects = append(objects, x)
			for _, c := range x {
				collect(c)
			}
		case []any:
			for _, c := range x {
				collect(c)
			}
		}
	}
	collect(tree)
	obj := objects[r.IntN(len(objects))]
	name := fmt.Sprintf("extra%d", r.IntN(100))
	if r.IntN(2) == 0 {
		for k := range obj {
			name = strings.ToUpper(k) // encoding/json matches it ignoring case
			break
		}
	}
	obj[name] = nil // null fits any field
	return name
}
