package zpl

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden ZPL files in testdata/")

// sampleData is a full label for each built-in template, Chinese text
// included where a warehouse in China would have it.
var sampleData = map[string]map[string]string{
	"sscc-pallet": {
		"sscc": "340065441234567893", "gtin": "04006544000014", "quantity": "48",
		"sku": "CC-330-24", "item": "可口可乐 330ml × 24 罐", "lot": "L2024-117",
		"best_before": "2026-01-31", "expiry": "2026-03-31", "putaway": "A-03-2-05",
		"from": "Dockhand DC Shanghai, 88 Harbour Rd", "to": "Store 117, 浦东新区 世纪大道 100号",
	},
	"putaway": {
		"lpn": "LPN00012345", "location": "A-03-2-05", "sku": "CC-330-24",
		"item": "可口可乐 330ml × 24 罐", "quantity": "48", "lot": "L2024-117", "expiry": "2026-03-31",
	},
	"shipping": {
		"carrier": "SF Express", "service": "Next day", "tracking": "SF1234567890123",
		"ship_to_name": "张伟", "ship_to_address": "上海市浦东新区 世纪大道 100号 20楼 200120",
		"ship_from": "Dockhand DC, 88 Harbour Rd, Shanghai", "order": "SO-2024-000117",
		"weight": "12.5 kg", "qr": "https://track.example.com/SF1234567890123",
	},
	"pick-ticket": {
		"order": "SO-2024-000117", "location": "B-12-1-03", "sku": "CC-330-24", "quantity": "6",
		"unit": "CS", "item": "Coca-Cola 330ml x 24", "lot": "L2024-117", "tote": "T-07", "wave": "W-0042",
	},
	"bin-location": {"location": "A-03-2-05", "zone": "DRY", "description": "Level 2, max 500 kg"},
}

func TestGoldenBuiltins(t *testing.T) {
	r, err := NewRegistry("")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"sscc-pallet", "putaway", "shipping", "pick-ticket", "bin-location"}, r.Names())
	for _, name := range r.Names() {
		data, ok := sampleData[name]
		require.True(t, ok, "sample data for %s", name)
		layouts, err := r.Layouts(name)
		require.NoError(t, err)
		for _, l := range layouts {
			file := name // the default layout; a profile's is <name>.<profile>
			if l.Profile != "" {
				file += "." + l.Profile
			}
			for _, dpi := range []int{203, 300} {
				t.Run(fmt.Sprintf("%s-%d", file, dpi), func(t *testing.T) {
					got, err := r.Render(name, data, Options{DPI: dpi, Profile: l.Profile})
					require.NoError(t, err)
					checkLabel(t, got)
					path := filepath.Join("testdata", fmt.Sprintf("%s-%d.zpl", file, dpi))
					if *update {
						require.NoError(t, os.WriteFile(path, got, 0o644))
					}
					want, err := os.ReadFile(path)
					require.NoError(t, err, "golden file missing: run go test ./zpl -run TestGolden -update")
					require.Equal(t, string(want), string(got))
				})
			}
		}
	}
}

// At 600 dpi every built-in still fits (no golden file: it is the 300 dpi
// layout at twice the dots).
func TestBuiltinsRenderAt600(t *testing.T) {
	r, err := NewRegistry("")
	require.NoError(t, err)
	for name, data := range sampleData {
		layouts, err := r.Layouts(name)
		require.NoError(t, err)
		for _, l := range layouts {
			out, err := r.Render(name, data, Options{DPI: 600, Profile: l.Profile})
			require.NoError(t, err, "%s %s", name, l.Profile)
			checkLabel(t, out)
		}
	}
}
