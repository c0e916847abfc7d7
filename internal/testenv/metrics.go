package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Gauge reads one unlabelled metric (its whole name) from the Prometheus
// text a daemon serves at http://addr/metrics; -1 when it cannot.
func Gauge(addr, name string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return -1
}

// ReadyReason is one reason a daemon's /readyz gives for not being ready.
type ReadyReason struct{ Component, ID, Reason string }

// NotReady returns the first reason http://addr/readyz gives for component
// (zero when it gives none).
func NotReady(addr, component string) (ReadyReason, error) {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return ReadyReason{}, err
	}
	defer resp.Body.Close()
	var ready struct {
		Reasons []ReadyReason `json:"reasons"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
		return ReadyReason{}, err
	}
	for _, r := range ready.Reasons {
		if r.Component == component {
			return r, nil
		}
	}
	return ReadyReason{}, nil
}
