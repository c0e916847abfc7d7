// Package configfile edits a gateway's configuration file in place: it
// changes the devices and stations lists of the YAML document and leaves
// every other line (and the technician's comments) as it was, and saves the result
// atomically with the previous file kept as a backup. It does not judge
// the values: the caller checks the new document with config.Parse, the
// same check `gatewayd --check` makes.
package configfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Doc is a configuration file's YAML document.
type Doc struct {
	root *yaml.Node // the top-level mapping
}

// Parse reads a YAML document whose top level is a mapping.
func Parse(raw []byte) (*Doc, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the configuration is not a mapping of keys")
	}
	return &Doc{root: doc.Content[0]}, nil
}

// Read parses the file at path.
func Read(path string) (*Doc, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(raw)
}

// Bytes renders the document (two-space indent, comments kept).
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{d.root}}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Section is a list of the configuration the page edits item by item.
type Section string

// The sections: each item is a mapping with an "id".
const (
	Devices  Section = "devices"
	Stations Section = "stations"
)

// Fields is one item (a device, a station) as written in the file: each
// key's value as text (a mapping or list in YAML flow style, e.g.
// "{1: outside, 2: inside}").
type Fields map[string]string

// Items lists a section's items as written, in file order.
func (d *Doc) Items(s Section) []Fields {
	seq := d.list(s, false)
	if seq == nil {
		return nil
	}
	out := make([]Fields, 0, len(seq.Content))
	for _, n := range seq.Content {
		f := Fields{}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				f[n.Content[i].Value] = text(n.Content[i+1])
			}
		}
		out = append(out, f)
	}
	return out
}

// Index returns the position of item id in a section, or -1.
func (d *Doc) Index(s Section, id string) int {
	for i, f := range d.Items(s) {
		if f["id"] == id {
			return i
		}
	}
	return -1
}

// FieldError is a value that is not even YAML (a mapping or list field
// written badly); the config check never sees it.
type FieldError struct {
	Key, Reason string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Reason }

// Put writes an item from its fields at index i of a section (i == -1 or
// beyond the end appends it) and returns its index. Values are taken as a
// technician would write them in the file: "9600" is a number, "{1:
// outside}" a mapping, "[rfid-1, rfid-2]" a list; an empty value leaves
// the key out (its default applies).
func (d *Doc) Put(s Section, i int, f Fields) (int, error) {
	n, err := itemNode(f)
	if err != nil {
		return 0, err
	}
	seq := d.list(s, true)
	if i < 0 || i >= len(seq.Content) {
		seq.Content = append(seq.Content, n)
		return len(seq.Content) - 1, nil
	}
	// Comments written on the item stay with it.
	old := seq.Content[i]
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	seq.Content[i] = n
	return i, nil
}

// Remove deletes the item at index i of a section.
func (d *Doc) Remove(s Section, i int) {
	if seq := d.list(s, false); seq != nil && i >= 0 && i < len(seq.Content) {
		seq.Content = slices.Delete(seq.Content, i, i+1)
	}
}

// keyOrder is the order keys are written in an item (others follow in
// alphabetical order): who it is first, then how it is reached.
var keyOrder = []string{"id", "kind", "station", "protocol", "port", "address", "baud", "data_bits", "parity", "stop_bits"}

func itemNode(f Fields) (*yaml.Node, error) {
	keys := make([]string, 0, len(f))
	for k, v := range f {
		if v != "" {
			keys = append(keys, k)
		}
	}
	rank := func(k string) int {
		if i := slices.Index(keyOrder, k); i >= 0 {
			return i
		}
		return len(keyOrder)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range keys {
		v, err := valueNode(f[k])
		if err != nil {
			return nil, &FieldError{Key: k, Reason: err.Error()}
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	return n, nil
}

// valueNode is the node of one value: a mapping or list when it is
// written as one, else a scalar whose type YAML resolves as it would in
// the file (so that the check names "baud: fast" as not a number).
func valueNode(v string) (*yaml.Node, error) {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(t), &doc); err != nil || len(doc.Content) != 1 {
			return nil, fmt.Errorf("%q is not a YAML mapping {key: value, ...} or list [a, b]", t)
		}
		n := doc.Content[0]
		n.Style = yaml.FlowStyle
		return n, nil
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
	if v != t || strings.ContainsAny(v, "\x00\r\n\t") {
		// Spaces at either end or control characters (a scanner suffix
		// "\r") are meant as they are: keep them quoted.
		n.Style = yaml.DoubleQuotedStyle
	}
	return n, nil
}

// text renders a value node as a technician would write it in one line.
func text(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	c := *n
	c.Style = yaml.FlowStyle
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	b, err := yaml.Marshal(&c)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// list returns a section's sequence, creating it when create is set.
func (d *Doc) list(s Section, create bool) *yaml.Node {
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		if d.root.Content[i].Value == string(s) {
			v := d.root.Content[i+1]
			if v.Kind == yaml.SequenceNode {
				return v
			}
			if !create {
				return nil
			}
			*v = yaml.Node{Kind: yaml.SequenceNode}
			return v
		}
	}
	if !create {
		return nil
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	d.root.Content = append(d.root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: string(s)}, seq)
	return seq
}

// BackupSuffix names the previous configuration kept by Save.
const BackupSuffix = ".bak"

// Save replaces the file at path with raw atomically: raw is written to a
// temporary file in the same directory, synced, and renamed over path, so
// a power cut leaves either the old or the new file, never half of one.
// The previous file is kept as path+BackupSuffix (replaced the same way).
// The new file keeps the old one's permissions.
func Save(path string, raw []byte) error {
	mode := os.FileMode(0o640)
	old, err := os.ReadFile(path)
	switch {
	case err == nil:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
		if err := writeAtomic(path+BackupSuffix, old, mode); err != nil {
			return fmt.Errorf("keep the previous configuration: %w", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	return writeAtomic(path, raw, mode)
}

func writeAtomic(path string, raw []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
