package zoomfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// randomBytes fills n bytes from crypto/rand: tokens and passcodes must not
// be guessable even in a fake, since demos run on shared machines.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func randomToken(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }
