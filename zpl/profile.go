package zpl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Profile is the label stock a printer is set up for: the media sizes of
// the setup files in firmware-config/printers (zebra-<model>-<dpi>.zpl is
// 4x6, zebra-<model>-<dpi>-<profile>.zpl the others). A template prints
// only on media that holds it, and a template may have a layout of its own
// for a profile (the file <name>.<profile>.yaml).
type Profile struct {
	Name   string  `json:"name"`
	Width  float64 `json:"width_mm"`  // across the print head
	Length float64 `json:"length_mm"` // in the direction of feed
	About  string  `json:"about"`
}

// profiles are the known label stocks, in mm (1 in = 25.4 mm).
var profiles = []Profile{
	{"4x6", 101.6, 152.4, "4 × 6 in labels on a 4-inch printer (ZT410, ZT610, ZD421, GK420d)"},
	{"4x8", 101.6, 203.2, "4 × 8 in labels on a 4-inch printer: the GS1 pallet label"},
	// 6.5 in is the widest common stock that a 6-inch-class printer (ZT620:
	// 168 mm print width) prints edge to edge with room for the media
	// guides; a 20-letter lot needs a GS1-128 symbol of 154-157 mm.
	{"6.5x8", 165.1, 203.2, "6.5 × 8 in labels on a wide printer (ZT620, 168 mm print width): the GS1 pallet label with lots of up to 20 letters"},
}

// Profiles lists the known printer profiles.
func Profiles() []Profile { return slices.Clone(profiles) }

// ProfileNames lists the names of the known printer profiles.
func ProfileNames() []string {
	out := make([]string, len(profiles))
	for i, p := range profiles {
		out[i] = p.Name
	}
	return out
}

// LookupProfile finds a profile by name.
func LookupProfile(name string) (Profile, bool) {
	i := slices.IndexFunc(profiles, func(p Profile) bool { return p.Name == name })
	if i < 0 {
		return Profile{}, false
	}
	return profiles[i], true
}

// ErrMedia is returned (wrapped) by Render when the template's label is
// larger than the printer profile's media.
var ErrMedia = errors.New("label does not fit the printer's media")

// mediaSlack allows for the rounding of inch sizes to mm in templates.
const mediaSlack = 0.5 // mm

// fits reports whether a label of t's size fits the profile's media; the
// error says what to do when it does not.
func (p Profile) fits(t *template) error {
	w, h := t.widthMM(), t.heightMM()
	if w <= p.Width+mediaSlack && h <= p.Length+mediaSlack {
		return nil
	}
	var fit []string
	for _, q := range profiles {
		if w <= q.Width+mediaSlack && h <= q.Length+mediaSlack {
			fit = append(fit, q.Name)
		}
	}
	advice := "no known printer profile holds it"
	if len(fit) > 0 {
		advice = "load larger labels and set the printer's profile to " + strings.Join(fit, " or ")
	}
	return fmt.Errorf("%w: template %s is %.1f × %.1f mm and printer profile %s is %.1f × %.1f mm; %s",
		ErrMedia, t.name, w, h, p.Name, p.Width, p.Length, advice)
}
