package testenv

import (
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
