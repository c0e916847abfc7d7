package zpl

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
	names     []string
}

// Options are per-print settings.
type Options struct {
	DPI    int // printer resolution: 203 (default when 0), 300 or 600
	Copies int // labels to print (^PQ); 0 means 1
}

var templateNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// NewRegistry loads the built-in templates and every *.yaml / *.yml file in
// userDir ("" = none); a user file named like a built-in replaces it. A user
// file that is not a valid template is refused: the error lists each one
// (as *TemplateError: file and reason), and the returned registry still
// holds the built-ins and the good user templates, so a gateway can log the
// error and go on printing.
func NewRegistry(userDir string) (*Registry, error) {
	r := &Registry{templates: map[string]*template{}}
	builtins, err := fs.Glob(builtinFS, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list built-in templates: %w", err)
	}
	for _, p := range builtins {
		src, err := builtinFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", p, err)
		}
		t, err := parseTemplate(strings.TrimSuffix(path.Base(p), ".yaml"), "built-in "+p, src)
		if err != nil {
			return nil, err
		}
		r.templates[t.name] = t
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

func (r *Registry) loadUserDir(dir string) []error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []error{fmt.Errorf("read label template directory: %w", err)}
	}
	var errs []error
	for _, ent := range entries {
		ext := filepath.Ext(ent.Name())
		if ent.IsDir() || ext != ".yaml" && ext != ".yml" {
			continue
		}
		file := filepath.Join(dir, ent.Name())
		name := strings.TrimSuffix(ent.Name(), ext)
		if !templateNameRE.MatchString(name) {
			errs = append(errs, &TemplateError{File: file, Reason: "file name must be lower-case letters, digits, - and _ (it is the template name)"})
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
		r.templates[name] = t
	}
	return errs
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

// Render checks data against the template and returns one ZPL label format
// (^XA ... ^XZ). Every problem with the data — missing or unknown fields,
// values of the wrong form, data a bar code cannot hold, text or symbols
// that do not fit the label at this resolution — is returned as
// *FieldError (several joined with errors.Join), and then no ZPL at all.
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
	vals, err := t.bind(data)
	if err != nil {
		return nil, err
	}
	return t.render(make([]byte, 0, 2048), vals, dpi, copies)
}
