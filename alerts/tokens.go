package alerts

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// Tokens are WARROOM_API_TOKENS: comma-separated, each `name=token` or a
// bare token. They are compared in constant time and never logged.
type Tokens []token

type token struct {
	name  string
	value []byte
}

// ParseTokens reads WARROOM_API_TOKENS. The first '=' ends the name;
// base64 tokens may end in '=' padding, so an entry whose part after it
// is nothing but padding is a bare token.
func ParseTokens(s string) Tokens {
	var ts Tokens
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		name, value, ok := strings.Cut(e, "=")
		if !ok || name == "" || strings.Trim(value, "=") == "" || strings.ContainsAny(name, " \t") {
			name, value = "", e
		}
		ts = append(ts, token{name: strings.TrimSpace(name), value: []byte(value)})
	}
	return ts
}

// Authorize checks the request's bearer token against every token, the
// whole list each time, so that the time taken tells nothing of which
// matched or how much of one.
func (ts Tokens) Authorize(r *http.Request) (string, bool) {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	got = strings.TrimSpace(got)
	name, found := "", 0
	for _, t := range ts {
		if subtle.ConstantTimeCompare([]byte(got), t.value) == 1 {
			name, found = t.name, 1
		}
	}
	return name, found == 1 && got != ""
}
