// Package yamlx holds small YAML value types shared by Dockhand's
// configuration files (gateway config, label templates).
package yamlx

import "gopkg.in/yaml.v3"

// OneOrMany is a list of strings written either as one value or as a YAML
// list: `gates: rfid-1` and `gates: [rfid-1, rfid-2]` both work, which is
// what people write by hand.
type OneOrMany []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (n *OneOrMany) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*n = OneOrMany{v.Value}
		return nil
	}
	var list []string
	if err := v.Decode(&list); err != nil {
		return err
	}
	*n = list
	return nil
}
