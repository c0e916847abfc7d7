package store

import (
	"fmt"
	"sort"

	"github.com/dockhand/dockhand/central/stock"
)

// Check rebuilds the quant projection from the ledger and compares it with
// the stored one. It returns every difference (none means consistent);
// replay itself refuses negative stock, so a ledger that would ever have
// gone negative is reported too.
func (s *Store) Check() ([]string, error) {
	var problems []string
	err := s.View(func(tx *Tx) error {
		rebuilt := stock.MemQuants{}
		var after uint64
		for {
			ms, err := tx.Movements(after, 10000)
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				break
			}
			for _, m := range ms {
				if m.Seq != after+1 {
					problems = append(problems, fmt.Sprintf("ledger gap: movement %d follows %d", m.Seq, after))
				}
				after = m.Seq
				if _, err := stock.Post(rebuilt, m); err != nil {
					problems = append(problems, fmt.Sprintf("movement %d does not replay: %v", m.Seq, err))
				}
			}
		}
		stored, err := tx.Quants("")
		if err != nil {
			return err
		}
		seen := map[stock.QuantKey]bool{}
		for _, q := range stored {
			seen[q.QuantKey] = true
			if q.Quantity < 0 {
				problems = append(problems, fmt.Sprintf("negative quant %+v: %d", q.QuantKey, q.Quantity))
			}
			if want := rebuilt[q.QuantKey]; want != q.Quantity {
				problems = append(problems, fmt.Sprintf("quant %+v is %d, ledger says %d", q.QuantKey, q.Quantity, want))
			}
		}
		for k, n := range rebuilt {
			if !seen[k] {
				problems = append(problems, fmt.Sprintf("quant %+v missing, ledger says %d", k, n))
			}
		}
		return nil
	})
	sort.Strings(problems)
	return problems, err
}
