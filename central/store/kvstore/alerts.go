package kvstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/stock"
)

// pAlertWin holds the collapse window of each alert key (central/alerting),
// kept in the transaction that publishes or holds back the alert.
const pAlertWin = "alertwin/"

// alertKey names a key's window by a hash: classes can be long messages.
func alertKey(k alerting.Key) string {
	b, _ := json.Marshal(k) // a struct of strings always encodes
	h := sha256.Sum256(b)
	return pAlertWin + hex.EncodeToString(h[:16])
}

// AlertWindow returns the window of an alert key, nil when none is open.
func (t *tx) AlertWindow(k alerting.Key) (*alerting.Window, error) {
	var w alerting.Window
	err := t.getJSON(alertKey(k), &w)
	if errors.Is(err, stock.ErrNotFound) || err == nil && w.Key != k {
		return nil, nil
	}
	return &w, err
}

// SetAlertWindow stores the window of an alert key; nil removes it.
func (t *tx) SetAlertWindow(k alerting.Key, w *alerting.Window) error {
	if w == nil {
		return t.del(alertKey(k))
	}
	return t.putJSON(alertKey(k), w)
}

// AlertWindows lists the open windows.
func (t *tx) AlertWindows() ([]alerting.Window, error) {
	return listJSON[alerting.Window](t, pAlertWin)
}
