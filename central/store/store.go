// Package store is the boundary between central's application layer and
// its storage engines: the Store and Tx interfaces, split by aggregate,
// and the transaction contract every engine keeps. Engines live below it
// (badgerstore: Badger on disk; memstore: memory, for tests; a PostgreSQL
// engine would be a third) and pass one conformance suite (storetest).
// Nothing above this package sees an engine's types, iterators or key
// layout.
//
// # Transactions
//
// Update runs a function in a read-write transaction; View in a read-only
// one. The contract every engine keeps:
//
//   - Serializable. Every read and write of one Update happens as if no
//     other transaction ran at the same time: a use case may read, decide
//     and write in one Update and its decision holds when it commits.
//     (Badger engine: one function at a time, concurrent Updates
//     committed together — see badgerstore. PostgreSQL would run
//     SERIALIZABLE, or SELECT … FOR UPDATE the rows a use case reads to
//     decide: the quants, pool totals and records it checks.)
//   - All or nothing. Update commits every write of fn or none: when fn
//     returns an error, or the commit fails, nothing is written. Messages
//     queued with Enqueue are writes like any other.
//   - Durable. When Update returns nil, the commit survives a crash (it is
//     fsync'd before Update returns). Engines may commit the transactions
//     of several concurrent Updates with one fsync (group commit), but
//     never return before their own is durable.
//   - Retry-safe callers. An engine may run fn again after a serialization
//     conflict, so fn keeps its effects inside tx: what it computes in
//     memory is recomputed on each attempt. (Today's engines never retry.)
//   - Snapshots. A View sees one consistent, committed state for its whole
//     duration and never writes.
//   - Records are values. What a Tx returns is the caller's copy; changing
//     it changes nothing stored until it is written back.
//
// Lists return records in key order (the order of their ids or codes,
// documented per method); Paged makes one list call return one page.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/dockhand/dockhand/central/alerting"
	"github.com/dockhand/dockhand/central/counting"
	"github.com/dockhand/dockhand/central/inbound"
	"github.com/dockhand/dockhand/central/moves"
	"github.com/dockhand/dockhand/central/outbound/campaigns"
	"github.com/dockhand/dockhand/central/outbound/layers"
	"github.com/dockhand/dockhand/central/outbound/orders"
	"github.com/dockhand/dockhand/central/outbound/promise"
	"github.com/dockhand/dockhand/central/outbound/routing"
	"github.com/dockhand/dockhand/central/purchasing"
	"github.com/dockhand/dockhand/central/quality"
	"github.com/dockhand/dockhand/central/stock"
	"github.com/dockhand/dockhand/internal/wire"
)

// Store is central's database.
type Store interface {
	// Update runs fn in a read-write transaction and commits it durably;
	// if fn fails nothing is written.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Outgoing returns up to max queued messages with seq > after, in
	// order, outside any transaction. Callers pass the last seq they sent.
	Outgoing(ctx context.Context, after uint64, max int) ([]Message, error)
	// Sent removes published messages from the queue.
	Sent(ctx context.Context, seqs ...uint64) error
	// Queued is signalled after a commit that queued messages.
	Queued() <-chan struct{}
	// Probe commits one small durable write, to show that the store
	// takes writes (central's readiness check).
	Probe(ctx context.Context) error
	Close() error
}

// ErrNoSpace is a write refused because the store's disk is full: an
// engine refuses it before writing anything, while reads go on; the same
// write is accepted once there is space again. Engines wrap it with the
// disk's path and free space.
var ErrNoSpace = errors.New("the disk is full: writes are refused")

// Stats count a store's commits: central exports them as metrics, and
// the conformance suite checks with them that concurrent Updates shared
// commits. An engine that keeps them has a method Stats() Stats.
type Stats struct {
	// Updates is how many Update functions ran.
	Updates uint64
	// Commits is how many durable commits (fsyncs) made them durable.
	Commits uint64
	// Waiting is how many Updates wait for their turn or run now.
	Waiting int
}

// Tx is one transaction: every aggregate's records.
type Tx interface {
	Catalog
	Ledger
	Plates
	Inbound
	Purchasing
	Quality
	Moves
	Counting
	Outbound
	Timers
	Stations
	Streams
	Outbox
	Idempotency
	Alerts
	// Paged returns the transaction for one list call (Items, Locations,
	// Quants, ASNs, POs, … — every list in key order) that returns only
	// the page p asks for and fills p.Next.
	Paged(p *Page) Tx
}

// Page is one window onto a list in key order: the records after the
// cursor After ("" = from the start), at most Limit of them. The list call
// sets Next to the cursor of the following page, "" after the last.
// Cursors are opaque strings an engine chooses; they survive records
// being added, so a client that follows them sees every record once.
type Page struct {
	After string
	Limit int
	Next  string
}

// Catalog is items and locations.
type Catalog interface {
	stock.Catalog
	// PutItem creates or replaces an item and indexes all its GTINs.
	PutItem(stock.Item) error
	// Items lists items by SKU.
	Items() ([]stock.Item, error)
	// PutLocation creates a location (a location's warehouse never changes).
	PutLocation(stock.Location) error
}

// Ledger is the append-only ledger, the quant projection, the pool
// totals and reservations (package stock holds their rules).
type Ledger interface {
	stock.Ledger
	stock.Reservations
	// Movements lists ledger lines with seq > after, at most limit (0 = all).
	Movements(after uint64, limit int) ([]stock.Movement, error)
	// Pools lists the stored totals of every pool of sku ("" for every
	// pool), by SKU then warehouse.
	Pools(sku string) ([]stock.PoolBalance, error)
	// AllReservations lists reservations by id.
	AllReservations() ([]stock.Reservation, error)
	// PoolReservations lists the reservations of one pool, by id.
	PoolReservations(p stock.Pool) ([]stock.Reservation, error)
}

// Plates is licence plates.
type Plates interface {
	stock.Plates
	// LPNs lists licence plates by code.
	LPNs() ([]stock.LPN, error)
	// NextLPN issues the next licence-plate code central prints itself.
	NextLPN() (string, error)
	// Targeted counts plates suggested to a location and not there yet.
	Targeted(location string) (int, error)
}

// Inbound is ASNs, receipts and discrepancies.
type Inbound interface {
	ASN(id string) (inbound.ASN, error)
	// PutASN stores an ASN and indexes its SSCCs.
	PutASN(inbound.ASN) error
	// ASNs lists ASNs by id.
	ASNs() ([]inbound.ASN, error)
	// OpenASNs lists the open ASNs, oldest first.
	OpenASNs() ([]inbound.ASN, error)
	// ExpectedPallet finds the ASN that announced an SSCC.
	ExpectedPallet(sscc string) (inbound.ASN, inbound.ExpectedPallet, error)
	PutReceipt(inbound.Receipt) error
	// Receipts lists receipts in creation order (ids are ULIDs).
	Receipts() ([]inbound.Receipt, error)
	PutDiscrepancy(inbound.Discrepancy) error
	// Discrepancies lists discrepancies in creation order.
	Discrepancies() ([]inbound.Discrepancy, error)
}

// Purchasing is suppliers, approval rules and purchase orders.
type Purchasing interface {
	Supplier(id string) (purchasing.Supplier, error)
	PutSupplier(purchasing.Supplier) error
	// Suppliers lists suppliers by id.
	Suppliers() ([]purchasing.Supplier, error)
	ApprovalRule(id string) (purchasing.ApprovalRule, error)
	PutApprovalRule(purchasing.ApprovalRule) error
	// ApprovalRules lists approval rules by id.
	ApprovalRules() ([]purchasing.ApprovalRule, error)
	PO(id string) (purchasing.PO, error)
	PutPO(purchasing.PO) error
	// POs lists purchase orders by id.
	POs() ([]purchasing.PO, error)
}

// Quality is inspection plans, inspections and returns to vendors.
type Quality interface {
	Plan(id string) (quality.Plan, error)
	PutPlan(quality.Plan) error
	// Plans lists inspection plans by id.
	Plans() ([]quality.Plan, error)
	Inspection(id string) (quality.Task, error)
	PutInspection(quality.Task) error
	// Inspections lists inspection tasks in creation order.
	Inspections() ([]quality.Task, error)
	PutReturn(quality.Return) error
	// Returns lists return-to-vendor documents in creation order.
	Returns() ([]quality.Return, error)
}

// Moves is move orders.
type Moves interface {
	MoveOrder(id string) (moves.MoveOrder, error)
	PutMoveOrder(moves.MoveOrder) error
	// MoveOrders lists move orders by id.
	MoveOrders() ([]moves.MoveOrder, error)
}

// Counting is count tasks, when each location was last counted and the
// site's count policy.
type Counting interface {
	CountTask(id string) (counting.Task, error)
	PutCountTask(counting.Task) error
	// CountTasks lists count tasks in creation order.
	CountTasks() ([]counting.Task, error)
	// LastCounted is when a location was last counted (zero if never).
	LastCounted(location string) (time.Time, error)
	SetLastCounted(location string, at time.Time) error
	// CountPolicy is the site's policy (counting.DefaultPolicy until set).
	CountPolicy() (counting.Policy, error)
	SetCountPolicy(counting.Policy) error
}

// Outbound is what selling and shipping keep: channels, warehouses and
// their regions, sales orders, the queues of what waits for stock,
// shipments, promotions, pre-sales, transfers, and the counters behind
// the stock layers.
type Outbound interface {
	Channel(id string) (orders.Channel, error)
	PutChannel(orders.Channel) error
	// Channels lists channels by id.
	Channels() ([]orders.Channel, error)
	// WarehouseByCode returns a warehouse's routing record.
	WarehouseByCode(code string) (routing.Warehouse, error)
	PutWarehouse(routing.Warehouse) error
	// Warehouses lists warehouses by code.
	Warehouses() ([]routing.Warehouse, error)

	Order(id string) (orders.Order, error)
	// PutOrder stores an order and indexes it by its channel's order id.
	PutOrder(orders.Order) error
	// Orders lists orders by id (the order of arrival).
	Orders() ([]orders.Order, error)
	// OrderOf is the id of a channel's order (ErrNotFound when none).
	OrderOf(channel, channelOrder string) (string, error)
	// NextOrderSeq issues the next place in the order of arrival (of
	// orders, and of what changes add to them).
	NextOrderSeq() (uint64, error)

	// Waiting, PresaleWaiting, PutWaiting and DeleteWaiting keep the
	// queues of what waits for stock (package promise).
	Waiting(sku string) ([]promise.Waiting, error)
	PresaleWaiting(presale string) ([]promise.Waiting, error)
	PutWaiting(promise.Waiting) error
	DeleteWaiting(promise.Waiting) error
	// AllWaiting lists every queue: backorders by item, then pre-sales'.
	AllWaiting() ([]promise.Waiting, error)

	Shipment(id string) (orders.Shipment, error)
	PutShipment(orders.Shipment) error
	// Shipments lists shipments in creation order (ids are ULIDs).
	Shipments() ([]orders.Shipment, error)
	Promotion(id string) (campaigns.Promotion, error)
	PutPromotion(campaigns.Promotion) error
	// Promotions lists promotions by id.
	Promotions() ([]campaigns.Promotion, error)
	Presale(id string) (campaigns.Presale, error)
	PutPresale(campaigns.Presale) error
	// Presales lists pre-sales by id.
	Presales() ([]campaigns.Presale, error)
	Transfer(id string) (routing.Transfer, error)
	PutTransfer(routing.Transfer) error
	// Transfers lists transfers by id.
	Transfers() ([]routing.Transfer, error)

	// SalesCounters are what a channel's orders hold of an item (zero
	// when none); PutSalesCounters stores them (zero removes them).
	SalesCounters(channel, sku string) (layers.Counters, error)
	PutSalesCounters(channel, sku string, c layers.Counters) error
	// SalesCountersOf lists an item's counters by channel ("" for every
	// item: keyed "sku|channel").
	SalesCountersOf(sku string) (map[string]layers.Counters, error)
	// AddShipped adds to what shipped of an item from a location;
	// ShippedOf lists it by location.
	AddShipped(location, sku string, n int64) error
	ShippedOf(sku string) (map[string]int64, error)
	// MarkLayers notes that an item's layers changed; DirtyLayers lists
	// up to limit such items; CleanLayers forgets one once published.
	MarkLayers(sku string) error
	DirtyLayers(limit int) ([]string, error)
	CleanLayers(sku string) error
}

// Timer is a use case due at a time, kept in the store so that it runs
// once even across restarts: an unpaid order's hold, a promotion's end.
type Timer struct {
	Kind string    `json:"kind"`
	Ref  string    `json:"ref"`
	Due  time.Time `json:"due"`
}

// Timers keeps timers by due time.
type Timers interface {
	// SetTimer sets (or moves) the timer of a kind and ref.
	SetTimer(Timer) error
	// CancelTimer removes it (nothing when there is none).
	CancelTimer(kind, ref string) error
	// TimerOf returns the timer of a kind and ref (ok false: none).
	TimerOf(kind, ref string) (tm Timer, ok bool, err error)
	// DueTimers lists up to limit timers due at or before now, earliest
	// first.
	DueTimers(now time.Time, limit int) ([]Timer, error)
}

// Stations is what each station is in the middle of (the plate a putaway
// worker scanned, a count's tally).
type Stations interface {
	// StationState decodes a station's state into v; ErrNotFound when idle.
	StationState(station string, v any) error
	// SetStationState records (v != nil) or clears (v == nil) it.
	SetStationState(station string, v any) error
}

// Streams is what exactly-once ingest keeps per gateway stream: the
// announced streams and lanes, the watermarks and the applied-event
// journal.
type Streams interface {
	// StreamLane is the lane a gateway announced for one of its streams;
	// ok is false for a stream it never announced.
	StreamLane(gateway, stream string) (lane string, ok bool, err error)
	AnnounceStream(gateway, stream, lane string) error
	// HasStreams reports whether a gateway ever announced a stream.
	HasStreams(gateway string) (bool, error)
	// Watermark is the highest event seq applied from a stream.
	Watermark(gateway, stream string) (uint64, error)
	SetWatermark(gateway, stream string, seq uint64) error
	// Journal records an applied event (assigning N), in application
	// order, and counts applied events per gateway. Lines expire after
	// JournalRetention; exactly-once does not depend on them.
	Journal(Applied) error
	// AppliedID is the id of the event applied at a stream's seq, while
	// the journal holds it.
	AppliedID(gateway, stream string, seq uint64) (string, bool, error)
	// AppliedCount is how many events of a gateway were applied.
	AppliedCount(gateway string) (uint64, error)
	// JournalFrom lists journal lines after n, at most limit.
	JournalFrom(after uint64, limit int) ([]Applied, error)
}

// JournalRetention bounds the applied-event journal: long enough to audit
// a month of dock activity, short enough that it never grows without
// bound.
const JournalRetention = 30 * 24 * time.Hour

// Applied is one journal line: a gateway event central applied.
type Applied struct {
	N       uint64           `json:"n"`
	Gateway string           `json:"gateway"`
	Stream  string           `json:"stream"`
	Seq     uint64           `json:"seq"`
	ID      string           `json:"id"`
	Type    wire.MessageType `json:"type"`
	At      time.Time        `json:"at"`
}

// Outbox queues MQTT messages in the transaction of the change that
// caused them; they are deleted only after the broker has them
// (Store.Sent), so a crash between commit and publish delays a message
// instead of losing it.
type Outbox interface {
	Enqueue(topic string, payload []byte, retain bool) error
}

// Message is a queued MQTT message.
type Message struct {
	Seq     uint64 `json:"-"`
	Topic   string `json:"topic"`
	Payload []byte `json:"payload"`
	Retain  bool   `json:"retain,omitempty"`
}

// Idempotency keeps the answers of API requests by idempotency key.
type Idempotency interface {
	// Idempotent returns the stored answer for a key and the fingerprint
	// of the request it answered (nil for answers stored before
	// fingerprints were kept).
	Idempotent(key string) (answer, request []byte, ok bool, err error)
	SetIdempotent(key string, request, answer []byte) error
}

// Alerts keeps the collapse window of each alert key (central/alerting).
type Alerts interface {
	// AlertWindow returns a key's window, nil when none is open.
	AlertWindow(alerting.Key) (*alerting.Window, error)
	// SetAlertWindow stores a key's window; nil removes it.
	SetAlertWindow(alerting.Key, *alerting.Window) error
	// AlertWindows lists the open windows.
	AlertWindows() ([]alerting.Window, error)
}
