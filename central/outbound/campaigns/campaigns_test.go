package campaigns

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dockhand/dockhand/central/stock"
)

func TestPromotionDrawsWhatIsLeftWhileActive(t *testing.T) {
	p := Promotion{Left: 4, Status: Active}
	assert.Equal(t, int64(4), p.Draw(9))
	assert.Equal(t, int64(2), p.Draw(2))
	p.Status = Ended
	assert.Zero(t, p.Draw(1))
	id, ok := PromotionOf(stock.Reservation{Order: Owner("FLASH")})
	assert.True(t, ok)
	assert.Equal(t, "FLASH", id)
	assert.False(t, SetAside(stock.Reservation{Order: "SO0000000001"}))
	now := time.Now()
	past := now.Add(-time.Hour)
	assert.Error(t, Promotion{ID: "P", Channel: "C", SKU: "A", Quantity: 1, Ends: &past}.Validate(now))
	assert.Error(t, Promotion{ID: "P", Channel: "C", SKU: "A", Quantity: 1, Left: 1}.Validate(now), "left is central's")
}

func TestPresaleSellsUpToItsCapAndServesWhatArrived(t *testing.T) {
	p := Presale{Cap: 10, Sold: 7, Baseline: 5, Status: Active}
	assert.Equal(t, int64(3), p.Sell(5))
	assert.Zero(t, p.Allowance(5), "nothing arrived since the pre-sale began")
	assert.Equal(t, int64(4), p.Allowance(9))
	p.Served = 4
	assert.Equal(t, int64(3), p.Allowance(50), "no more than was sold")
	assert.Error(t, Presale{ID: "P", Channel: "C", SKU: "A", Cap: 1, ASN: "A", PO: "P"}.Validate(), "one source")
	assert.Error(t, Presale{ID: "P", SKU: "A", Cap: 1, ASN: "A"}.Validate(), "a channel")
}
