package wire

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected values were computed with Python's hmac module, an
// implementation independent of ours:
//
//	key = hmac.new(b"dockhand/v1 message key", b"s3cret-dock-01", sha256).digest()
//	hmac.new(key, topic + b"\x00" + payload, sha256).hexdigest()
func TestSealMatchesIndependentHMAC(t *testing.T) {
	key := MessageKey("s3cret-dock-01")
	assert.Equal(t, "d27595a0a167d62eb919da163bdf59bcfdb8edbc00b5b22d4ef619c339e1bfed", hex.EncodeToString(key))
	topic := "dockhand/v1/dc1/gw/dock-01/cmd/ack"
	sealed, err := Seal(key, topic, []byte(`{"id":"01J","type":"ack","seq":7}`))
	require.NoError(t, err)
	assert.Equal(t, `{"id":"01J","type":"ack","seq":7,"sig":"2a9c3295db4afb24aaf928c25a689762665385d090e6d98915dbb9e779980ae0"}`, string(sealed))
	var v map[string]any
	require.NoError(t, json.Unmarshal(sealed, &v), "a sealed message stays valid JSON")
}

func TestOpenReturnsWhatWasSealed(t *testing.T) {
	key := MessageKey("k")
	for _, p := range []string{`{}`, `{"a":1}`, `{"a":{"b":"}"}}`, "{\"a\":1}\n"} {
		sealed, err := Seal(key, "t", []byte(p))
		require.NoError(t, err)
		got, err := Open(key, "t", sealed)
		require.NoError(t, err, p)
		assert.JSONEq(t, p, string(got))
	}
}

func TestOpenRefusesForgeries(t *testing.T) {
	key := MessageKey("k")
	topic := "dockhand/v1/dc1/gw/dock-01/evt/scan"
	sealed, err := Seal(key, topic, []byte(`{"seq":1,"data":"x"}`))
	require.NoError(t, err)

	_, err = Open(MessageKey("other"), topic, sealed)
	assert.ErrorIs(t, err, ErrBadSignature, "another gateway's key")
	_, err = Open(key, "dockhand/v1/dc1/gw/dock-02/evt/scan", sealed)
	assert.ErrorIs(t, err, ErrBadSignature, "replayed on another topic")
	altered := []byte(string(sealed))
	altered[8] = '2'
	_, err = Open(key, topic, altered)
	assert.ErrorIs(t, err, ErrBadSignature, "altered body")

	for _, p := range []string{``, `{}`, `{"seq":1}`, `not json`, `{"sig":"zz"}`,
		`{"seq":1,"sig":"` + string(make([]byte, 64)) + `"}`,
		`x"sig":"2a9c3295db4afb24aaf928c25a689762665385d090e6d98915dbb9e779980ae0"}`} {
		_, err := Open(key, topic, []byte(p))
		assert.ErrorIs(t, err, ErrUnsigned, "%q", p)
	}
	_, err = Seal(key, topic, []byte(`[1,2]`))
	assert.Error(t, err, "only objects can be sealed")
}
