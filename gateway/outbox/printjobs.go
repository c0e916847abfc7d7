package outbox

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Print jobs live beside the events so that a label central asked for
// survives a restart of the gateway, and so that a label that may already
// have left for the printer when the gateway died is not sent again.
var prefixPrint = []byte("p/")

// PrintJob is a label waiting for a printer.
type PrintJob struct {
	Command string `json:"command"`
	Station string `json:"station"`
	ZPL     []byte `json:"zpl"`
	// Sending is set just before the bytes go to the printer; a job found
	// with it after a restart may have printed.
	Sending bool `json:"sending,omitempty"`
}

// AcceptPrint records a print command as applied and stores its job in
// one transaction. It reports false (and stores nothing) for a command
// id seen before. A full disk refuses the job (ErrFull).
func (o *Outbox) AcceptPrint(j PrintJob) (bool, error) {
	if err := o.diskShort(); err != nil {
		return false, fmt.Errorf("store print job %s: %w", j.Command, err)
	}
	first := false
	defer o.wrote(int64(len(j.ZPL) + len(j.Command) + 64))
	err := o.db.Update(func(txn *badger.Txn) error {
		cmdKey := append(append([]byte{}, prefixCmd...), j.Command...)
		if _, err := txn.Get(cmdKey); err == nil {
			return nil
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		first = true
		if err := txn.SetEntry(badger.NewEntry(cmdKey, nil).WithTTL(commandMemory)); err != nil {
			return err
		}
		return putJob(txn, j)
	})
	if err != nil {
		return false, fmt.Errorf("store print job %s: %w", j.Command, err)
	}
	return first, nil
}

// MarkSending records that a job's bytes are about to go to the printer.
func (o *Outbox) MarkSending(j PrintJob) error { return o.markJob(j, true) }

// PrintJobs lists stored jobs in command-id order (ULIDs: arrival order).
func (o *Outbox) PrintJobs() ([]PrintJob, error) {
	var out []PrintJob
	err := o.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixPrint, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var j PrintJob
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &j) }); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	return out, err
}

func putJob(txn *badger.Txn, j PrintJob) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return txn.Set(printKey(j.Command), b)
}

// markJob stores a job's new sending flag.
func (o *Outbox) markJob(j PrintJob, sending bool) error {
	j.Sending = sending
	defer o.wrote(int64(len(j.ZPL) + len(j.Command) + 64))
	return o.db.Update(func(txn *badger.Txn) error { return putJob(txn, j) })
}

func printKey(command string) []byte { return append(append([]byte{}, prefixPrint...), command...) }

// Unmark records that a job's bytes did not go out after all (the gateway
// is stopping while the job waited for the printer).
func (o *Outbox) Unmark(j PrintJob) error { return o.markJob(j, false) }
