package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Token is one client's bearer token: Name is who declared, as people
// see it; Secret is what the client sends.
type Token struct {
	Name   string
	Secret string
}

// Tokens checks bearer tokens. It is shared by every machine-facing door
// (this API, the Alertmanager receiver), which take the same tokens.
type Tokens struct {
	known []knownToken
}

type knownToken struct {
	name   string
	digest [sha256.Size]byte
}

// NewTokens keeps the digests of the secrets, not the secrets: nothing
// this package holds or logs can give a token away.
func NewTokens(ts []Token) *Tokens {
	t := &Tokens{}
	for _, tok := range ts {
		t.known = append(t.known, knownToken{name: tok.Name, digest: sha256.Sum256([]byte(tok.Secret))})
	}
	return t
}

// Empty reports whether no token is configured: the API is off.
func (t *Tokens) Empty() bool { return t == nil || len(t.known) == 0 }

// Authorize reads the request's "Authorization: Bearer …" and returns the
// name of the token it carries. The comparison takes the same time
// whichever token matches, or none: the secrets' digests are compared
// (equal lengths, so the length of a secret does not show) with
// crypto/subtle, and every known token is compared every time.
func (t *Tokens) Authorize(r *http.Request) (name string, ok bool) {
	secret, found := bearer(r)
	if !found || t.Empty() {
		return "", false
	}
	digest := sha256.Sum256([]byte(secret))
	for _, k := range t.known {
		if subtle.ConstantTimeCompare(digest[:], k.digest[:]) == 1 && !ok {
			name, ok = k.name, true
		}
	}
	return name, ok
}

// bearer is the token of an Authorization header with the Bearer scheme,
// which RFC 9110 makes case-insensitive.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
