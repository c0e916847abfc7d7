package zpl

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

//go:embed templates/*.yaml
var builtinFS embed.FS

// Registry holds the label templates: the built-in ones and those from the
// user's template directory. It is read-only after NewRegistry and safe for
// concurrent use.
type Registry struct {
	templates map[string]*template
	// layouts holds a template's layouts for printer profiles, from the
	// files <name>.<profile>.yaml: name → profile → layout.
	layouts map[string]map[string]*template
	names   []string
}

// Options are per-print settings.
type Options struct {
	DPI int // printer resolution: 203 (default when 0), 300 or 600
	// Profile is the printer's label stock (see Profiles): the template's
	// layout for it is used when there is one, and a label larger than
	// the media is refused (ErrMedia). "": the template's default layout,
	// unchecked.
	Profile string
	Copies  int // labels to print (^PQ); 0 means 1
}

var templateNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// NewRegistry loads the built-in templates and every *.yaml / *.yml file in
// userDir ("" = none); a user file named like a built-in replaces it (with
// all of the built-in's layouts). A user file that is not a valid template
// is refused: the error lists each one (as *TemplateError: file and
// reason), and the returned registry still holds the built-ins and the
// good user templates, so a gateway can log the error and go on printing.
//
// <name>.<profile>.yaml is the layout of template <name> for printers with
// that profile: it must declare the same fields as <name>.yaml.
func NewRegistry(userDir string) (*Registry, error) {
	r := &Registry{templates: map[string]*template{}, layouts: map[string]map[string]*template{}}
	builtins, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list built-in templates: %w", err)
	}
	for _, p := range builtins {
		src, err := builtinFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", p, err)
		}
		name, profile, _ := strings.Cut(strings.TrimSuffix(path.Base(p), ".yaml"), ".")
		t, err := parseTemplate(name, "built-in "+p, src)
		if err != nil {
			return nil, err
		}
		r.put(t, profile)
	}
	if errs := r.checkLayouts(); len(errs) > 0 {
		return nil, errs[0]
	}
	var errs []error
	if userDir != "" {
		errs = r.loadUserDir(userDir)
	}
	for name := range r.templates {
		r.names = append(r.names, name)
	}
	slices.Sort(r.names)
	return r, errors.Join(errs...)
}

// put adds t as template t.name's default layout (profile "") or as its
// layout for a profile.
func (r *Registry) put(t *template, profile string) {
	if profile == "" {
		r.templates[t.name] = t
		return
	}
	if r.layouts[t.name] == nil {
		r.layouts[t.name] = map[string]*template{}
	}
	r.layouts[t.name][profile] = t
}

// checkLayouts drops every profile layout whose template is missing or
// declares other fields, and says why.
func (r *Registry) checkLayouts() []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(r.layouts)) {
		base := r.templates[name]
		for _, profile := range slices.Sorted(maps.Keys(r.layouts[name])) {
			t := r.layouts[name][profile]
			switch {
			case base == nil:
				errs = append(errs, &TemplateError{File: t.file, Reason: fmt.Sprintf("a layout for printer profile %s of template %s, but there is no %s.yaml", profile, name, name)})
			case !sameFields(base.fields, t.fields):
				errs = append(errs, &TemplateError{File: t.file, Reason: fmt.Sprintf("a layout of template %s must declare the same fields (names, kinds, required, max) as %s", name, base.file)})
			default:
				continue
			}
			delete(r.layouts[name], profile)
		}
	}
	return errs
}

func sameFields(a, b []Field) bool {
	return slices.EqualFunc(a, b, func(x, y Field) bool {
		x.Help, y.Help = "", ""
		return x == y
	})
}

func (r *Registry) loadUserDir(dir string) []error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []error{fmt.Errorf("read label template directory: %w", err)}
	}
	var errs []error
	replaced := map[string]bool{}
	for _, ent := range entries {
		ext := filepath.Ext(ent.Name())
		if ent.IsDir() || ext != ".yaml" && ext != ".yml" {
			continue
		}
		file := filepath.Join(dir, ent.Name())
		name, profile, isLayout := strings.Cut(strings.TrimSuffix(ent.Name(), ext), ".")
		if !templateNameRE.MatchString(name) {
			errs = append(errs, &TemplateError{File: file, Reason: "file name must be lower-case letters, digits, - and _ (it is the template name), then for a layout . and a printer profile"})
			continue
		}
		if _, known := LookupProfile(profile); isLayout && !known {
			errs = append(errs, &TemplateError{File: file, Reason: fmt.Sprintf("%q is not a printer profile (%s): name a layout <template>.<profile>.yaml", profile, strings.Join(ProfileNames(), ", "))})
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, &TemplateError{File: file, Reason: err.Error()})
			continue
		}
		t, err := parseTemplate(name, file, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !isLayout && !replaced[name] {
			// The built-in's layouts belong to the built-in's fields.
			replaced[name] = true
			for p, l := range r.layouts[name] {
				if strings.HasPrefix(l.file, "built-in ") {
					delete(r.layouts[name], p)
				}
			}
		}
		r.put(t, profile)
	}
	return append(errs, r.checkLayouts()...)
}

// Names lists the template names, sorted.
func (r *Registry) Names() []string { return slices.Clone(r.names) }

// Fields lists a template's fields in the order the template declares them.
func (r *Registry) Fields(name string) ([]Field, error) {
	t, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(t.fields), nil
}

func (r *Registry) lookup(name string) (*template, error) {
	t, ok := r.templates[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownTemplate, name)
	}
	return t, nil
}

// Layout is one layout of a template: the printer profile it is for (""
// for the default layout, used on every other profile whose media holds
// it) and its label size in mm.
type Layout struct {
	Profile string  `json:"profile"`
	Width   float64 `json:"width_mm"`
	Height  float64 `json:"height_mm"`
}

// Layouts lists a template's layouts, the default one first.
func (r *Registry) Layouts(name string) ([]Layout, error) {
	t, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	out := []Layout{{Width: t.widthMM(), Height: t.heightMM()}}
	for _, p := range profiles { // in the profiles' order
		if l := r.layouts[name][p.Name]; l != nil {
			out = append(out, Layout{Profile: p.Name, Width: l.widthMM(), Height: l.heightMM()})
		}
	}
	return out, nil
}

// Render checks data against the template and returns one ZPL label format
// (^XA ... ^XZ). Every problem with the data — missing or unknown fields,
// values of the wrong form, data a bar code cannot hold, text or symbols
// that do not fit the label at this resolution — is returned as
// *FieldError (several joined with errors.Join), and then no ZPL at all.
// A label larger than the printer profile's media is refused (ErrMedia).
func (r *Registry) Render(name string, data map[string]string, opt Options) ([]byte, error) {
	t, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	dpi := opt.DPI
	switch dpi {
	case 0:
		dpi = 203
	case 203, 300, 600:
	default:
		return nil, fmt.Errorf("render %s: printer resolution %d dpi not supported (203, 300 or 600)", name, opt.DPI)
	}
	copies := opt.Copies
	if copies == 0 {
		copies = 1
	}
	if copies < 1 || copies > 99999999 {
		return nil, fmt.Errorf("render %s: copies must be 1 to 99999999, got %d", name, opt.Copies)
	}
	if opt.Profile != "" {
		p, ok := LookupProfile(opt.Profile)
		if !ok {
			return nil, fmt.Errorf("render %s: unknown printer profile %q (%s)", name, opt.Profile, strings.Join(ProfileNames(), ", "))
		}
		if l := r.layouts[name][p.Name]; l != nil {
			t = l
		}
		if err := p.fits(t); err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
	}
	vals, err := t.bind(data)
	if err != nil {
		return nil, err
	}
	out, err := t.render(make([]byte, 0, 2048), vals, dpi, copies)
	if err != nil {
		r.adviseLayout(err, name, t, vals, dpi)
	}
	return out, err
}

// adviseLayout adds to each GS1 logistic symbol that is too wide for layout
// t which wider layout of the template would print the data.
func (r *Registry) adviseLayout(err error, name string, t *template, vals []string, dpi int) {
	var wide []*FieldError
	for _, fe := range fieldErrorList(err) {
		if fe.tooWide {
			wide = append(wide, fe)
		}
	}
	if len(wide) == 0 {
		return
	}
	for _, p := range profiles {
		l := r.layouts[name][p.Name]
		if l == nil || l == t || l.widthMM() <= t.widthMM() {
			continue
		}
		if _, e := l.render(nil, vals, dpi, 1); e == nil {
			for _, fe := range wide {
				fe.Reason += fmt.Sprintf(", or print it on a printer with profile %s: it fits that profile's %.1f mm wide layout", p.Name, l.widthMM())
			}
			return
		}
	}
}

// fieldErrorList unpacks the *FieldError values of a render error.
func fieldErrorList(err error) []*FieldError {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*FieldError
		for _, e := range j.Unwrap() {
			out = append(out, fieldErrorList(e)...)
		}
		return out
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{fe}
	}
	return nil
}
