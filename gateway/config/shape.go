package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// checkShape walks the YAML tree beside the Go type it will be decoded into
// and reports unknown keys and values of the wrong kind with their path
// ("devices[1].baud"), which yaml.v3's own errors do not give.
func checkShape(n *yaml.Node, into any, path string, p *problems) {
	walk(n, reflect.TypeOf(into).Elem(), path, p)
}

var (
	durationType = reflect.TypeOf(Duration(0))
	namesType    = reflect.TypeOf(Names(nil))
)

// structFields maps a struct's YAML keys to their types, flattening
// ",inline" fields as yaml.v3 does.
func structFields(t reflect.Type, fields map[string]reflect.Type, names *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")
		if slices.Contains(tag[1:], "inline") {
			structFields(f.Type, fields, names)
			continue
		}
		if tag[0] == "-" {
			continue
		}
		fields[tag[0]] = f.Type
		*names = append(*names, tag[0])
	}
}

func walk(n *yaml.Node, t reflect.Type, path string, p *problems) {
	where := func(reason string) {
		key := path
		if key == "" {
			key = "(top level)"
		}
		p.add(key, fmt.Sprintf("%s (line %d)", reason, n.Line))
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		if _, err := time.ParseDuration(n.Value); n.Kind != yaml.ScalarNode || err != nil {
			where(fmt.Sprintf("not a duration like 5s or 2m: %q", n.Value))
		}
	case t == namesType && n.Kind == yaml.ScalarNode:
		// One name instead of a list.
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			where("must be a mapping of keys")
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		structFields(t, fields, &names)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				p.add(sub, fmt.Sprintf("unknown key (line %d); known keys here: %s", n.Content[i].Line, strings.Join(names, ", ")))
				continue
			}
			if seen[k] {
				p.add(sub, fmt.Sprintf("given twice (line %d)", n.Content[i].Line))
			}
			seen[k] = true
			walk(v, ft, sub, p)
		}
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			where("must be a mapping of keys")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			sub := path + "." + k.Value
			walk(k, t.Key(), sub, p)
			walk(n.Content[i+1], t.Elem(), sub, p)
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			where("must be a list")
			return
		}
		for i, c := range n.Content {
			walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), p)
		}
	case n.Kind != yaml.ScalarNode:
		where("must be a single value")
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		if _, err := strconv.ParseInt(n.Value, 10, 64); err != nil {
			where(fmt.Sprintf("must be a whole number, got %q", n.Value))
		}
	case t.Kind() == reflect.Float64:
		if _, err := strconv.ParseFloat(n.Value, 64); err != nil {
			where(fmt.Sprintf("must be a number, got %q", n.Value))
		}
	case t.Kind() == reflect.Bool:
		if _, err := strconv.ParseBool(n.Value); err != nil {
			where(fmt.Sprintf("must be true or false, got %q", n.Value))
		}
	}
}
