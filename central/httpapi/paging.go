package httpapi

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/dockhand/dockhand/central/store"
)

// Every list is paged: ?limit= (default 100, at most 1000) and, for the
// next page, the cursor of the Link header (rel="next") the previous page
// carried. Lists keep their key order, so a client that follows the links
// sees every record once even while records are added.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// limitOf reads ?limit=.
func limitOf(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, badRequest("limit: must be a number from 1 to " + strconv.Itoa(maxLimit))
	}
	return n, nil
}

// page is the window a list request asks for, and where the next starts.
type page struct {
	limit       int
	after, next string // store cursors
}

// pageOf reads ?limit= and ?cursor= (opaque: base64url of a store cursor).
func pageOf(r *http.Request) (*page, error) {
	limit, err := limitOf(r)
	if err != nil {
		return nil, err
	}
	after, err := base64.RawURLEncoding.DecodeString(r.URL.Query().Get("cursor"))
	if err != nil {
		return nil, badRequest("cursor: not a cursor from a next link")
	}
	return &page{limit: limit, after: string(after)}, nil
}

// fill pages through the store until list has kept pg.limit records or
// the list ends; list returns how many records it has kept so far (a
// filtered list keeps fewer than it reads).
func (pg *page) fill(list func(p *store.Page) (int, error)) error {
	after, kept := pg.after, 0
	for {
		p := store.Page{After: after, Limit: pg.limit - kept}
		n, err := list(&p)
		if err != nil {
			return err
		}
		kept = n
		if p.Next == "" {
			pg.next = ""
			return nil
		}
		after = p.Next
		if kept >= pg.limit {
			pg.next = after
			return nil
		}
	}
}

// link sets the Link header to the next page, if there is one.
func (pg *page) link(w http.ResponseWriter, r *http.Request) {
	if pg.next != "" {
		setNext(w, r, "cursor", base64.RawURLEncoding.EncodeToString([]byte(pg.next)))
	}
}

// setNext sets Link: <this request with param=value>; rel="next".
func setNext(w http.ResponseWriter, r *http.Request, param, value string) {
	q := r.URL.Query()
	q.Set(param, value)
	u := *r.URL
	u.RawQuery = q.Encode()
	w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="next"`)
}
