package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Cipher seals secrets (Zoom tokens, PKCE verifiers) before they are
// written, with AES-256-GCM under WARROOM_SECRET_KEY. Each value gets a
// fresh nonce, stored in front of it; the column name is bound in as
// additional data, so a sealed refresh token cannot be passed off as an
// access token.
type Cipher struct{ aead cipher.AEAD }

// NewCipher returns a Cipher for a 32-byte key.
func NewCipher(key []byte) (*Cipher, error) {
	if len(key) != 32 {
		return nil, errors.New("store: the secret key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

// ErrNoKey is returned when a secret must be stored but no key is set.
var ErrNoKey = errors.New("store: WARROOM_SECRET_KEY is not set, so secrets cannot be stored")

func (c *Cipher) seal(purpose string, plain string) ([]byte, error) {
	if c == nil {
		return nil, ErrNoKey
	}
	if plain == "" {
		return nil, nil
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	return c.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose)), nil
}

func (c *Cipher) open(purpose string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	if c == nil {
		return "", ErrNoKey
	}
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("store: sealed value too short")
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return "", errors.New("store: a sealed secret could not be opened (was WARROOM_SECRET_KEY changed?)")
	}
	return string(plain), nil
}
