// Package apiload drives central's HTTP API with many concurrent clients
// over real TCP connections (kept alive, as an ERP or a shop's backend
// keeps them) and measures what a client sees — requests and lines per
// second, each request's latency — beside what central's store did for
// them: durable commits (fsyncs), read from central's /metrics. It is the
// api mode of the load tool (cmd/dockload); what the requests are is a
// Workload (moves.go, orders.go).
package apiload

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dockhand/dockhand/cmd/dockload/loadgen"
)

// Options configure one run.
type Options struct {
	// URL is central's HTTP address (http://host:port); Token its API token.
	URL, Token string
	// Clients is how many requests may be in flight at once, each on its
	// own kept-alive connection.
	Clients int
	// Requests is how many requests are measured; Warmup how many run
	// before (not measured: connections open, caches fill).
	Requests, Warmup int
	// Rate paces the requests (per second, all clients together) with
	// exponential gaps, as independent shops send them; 0 sends the next
	// request as soon as a client has its answer (closed loop).
	Rate float64
	// Keys sends an Idempotency-Key with every request, as a client that
	// retries safely does.
	Keys bool
}

// Result is what one run measured.
type Result struct {
	Workload string
	Clients  int
	Rate     float64
	// Requests answered, and the lines they did (movements posted, order
	// lines promised); Failed is how many answers were not the workload's
	// expected ones (by status in Status).
	Requests, Lines, Failed int
	Status                  map[int]int
	Elapsed                 time.Duration
	// Latency of each request: from when it was due (paced) or sent
	// (closed loop) to its whole answer.
	Latency loadgen.Latency
	// Updates and Commits are central's store counters over the measured
	// part (zero when its /metrics has none).
	Updates, Commits uint64
	// Note is what the workload found when it checked central afterwards.
	Note string
}

func (r Result) String() string {
	s := fmt.Sprintf("%s, %d clients", r.Workload, r.Clients)
	if r.Rate > 0 {
		s += fmt.Sprintf(", paced at %.0f requests/s", r.Rate)
	}
	sec := r.Elapsed.Seconds()
	s += fmt.Sprintf(": %d requests in %s = %.0f requests/s, %.0f lines/s; latency %s",
		r.Requests, r.Elapsed.Round(time.Millisecond), float64(r.Requests)/sec, float64(r.Lines)/sec, r.Latency)
	if r.Commits > 0 {
		s += fmt.Sprintf("\n  central: %.0f durable commits/s, %.1f transactions per commit", float64(r.Commits)/sec, float64(r.Updates)/float64(r.Commits))
	}
	if r.Failed > 0 {
		s += fmt.Sprintf("\n  %d unexpected answers, by status: %v", r.Failed, r.Status)
	}
	if r.Note != "" {
		s += "\n  " + r.Note
	}
	return s
}

// Request is one HTTP request of a workload.
type Request struct {
	Method, Path string
	Body         []byte
}

// Workload is what the clients ask for.
type Workload interface {
	Name() string
	// Setup prepares central through its API (items, locations, stock)
	// for up to n requests.
	Setup(ctx context.Context, c *Client, n int) error
	// Request is the i-th request (0-based, warm-up included).
	Request(i int) Request
	// Answer counts the lines an answer did; an error marks an answer the
	// workload did not expect.
	Answer(i, status int, body []byte) (lines int, err error)
	// Verify checks central after the run and says what it found.
	Verify(ctx context.Context, c *Client, r Result) (string, error)
}

// Client calls central's API.
type Client struct {
	url, token string
	http       *http.Client
}

// NewClient returns a client with up to conns kept-alive connections.
func NewClient(url, token string, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		IdleConnTimeout: time.Minute, DisableCompression: true}
	return &Client{url: strings.TrimRight(url, "/"), token: token, http: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// Do sends a request and reads the whole answer.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, key string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Expect sends a request and fails unless the answer has status want.
func (c *Client) Expect(ctx context.Context, want int, method, path string, body []byte) ([]byte, error) {
	status, b, err := c.Do(ctx, method, path, body, "")
	if err == nil && status != want {
		err = fmt.Errorf("%s %s: %d %s", method, path, status, bytes.TrimSpace(b))
	}
	return b, err
}

// storeCounters reads central's store counters from /metrics (zero when
// it has none).
func (c *Client) storeCounters(ctx context.Context) (updates, commits uint64, err error) {
	status, b, err := c.Do(ctx, http.MethodGet, "/metrics", nil, "")
	if err != nil || status != http.StatusOK {
		return 0, 0, errors.Join(err, fmt.Errorf("GET /metrics: %d", status))
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, _ := strings.Cut(sc.Text(), " ")
		n, _ := strconv.ParseFloat(val, 64)
		switch name {
		case "dockhand_central_store_updates_total":
			updates = uint64(n)
		case "dockhand_central_store_commits_total":
			commits = uint64(n)
		}
	}
	return updates, commits, sc.Err()
}

// Run sets the workload up, runs the warm-up, then measures.
func Run(ctx context.Context, o Options, w Workload) (Result, error) {
	o.Clients = max(o.Clients, 1)
	c := NewClient(o.URL, o.Token, o.Clients)
	if err := w.Setup(ctx, c, o.Warmup+o.Requests); err != nil {
		return Result{}, fmt.Errorf("set up %s: %w", w.Name(), err)
	}
	r := Result{Workload: w.Name(), Clients: o.Clients, Rate: o.Rate, Status: map[int]int{}}
	if _, err := run(ctx, c, o, w, 0, o.Warmup, &Result{Status: map[int]int{}}); err != nil {
		return r, err
	}
	u0, c0, err := c.storeCounters(ctx)
	if err != nil {
		return r, err
	}
	lat, err := run(ctx, c, o, w, o.Warmup, o.Requests, &r)
	if err != nil {
		return r, err
	}
	u1, c1, err := c.storeCounters(ctx)
	if err != nil {
		return r, err
	}
	r.Updates, r.Commits = u1-u0, c1-c0
	r.Latency = loadgen.Summarise(lat)
	r.Note, err = w.Verify(ctx, c, r)
	return r, err
}

// run sends requests first … first+n-1 and adds what they did to r.
func run(ctx context.Context, c *Client, o Options, w Workload, first, n int, r *Result) ([]time.Duration, error) {
	if n <= 0 {
		return nil, nil
	}
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, o.Clients)
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	var failed error // the first request that got no answer
	var wg sync.WaitGroup
	for range o.Clients {
		wg.Go(func() {
			for j := range jobs {
				req := w.Request(j.i)
				if j.due.IsZero() {
					j.due = time.Now()
				}
				key := ""
				if o.Keys {
					key = fmt.Sprintf("dockload-%d-%d", time.Now().UnixNano(), j.i)
				}
				status, body, err := c.Do(ctx, req.Method, req.Path, req.Body, key)
				took := time.Since(j.due)
				if err != nil {
					mu.Lock()
					failed = cmp.Or(failed, err)
					mu.Unlock()
					continue
				}
				lines, aerr := w.Answer(j.i, status, body)
				lat[j.i-first] = took
				mu.Lock()
				r.Requests++
				r.Lines += lines
				if aerr != nil {
					r.Failed++
					r.Status[status]++
				}
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), 7))
	due := start
	for i := first; i < first+n; i++ {
		var j job
		j.i = i
		if o.Rate > 0 {
			due = due.Add(time.Duration(rng.ExpFloat64() / o.Rate * float64(time.Second)))
			time.Sleep(time.Until(due))
			j.due = due
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	r.Elapsed += time.Since(start)
	if failed != nil {
		return nil, fmt.Errorf("a request failed: %w", failed)
	}
	return lat, nil
}
