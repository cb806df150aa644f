package config

import (
	"fmt"
	"strings"
)

// APIToken is one bearer token of the HTTP API (WARROOM_API_TOKENS).
// Name is who declared, as the incident channel shows it; Token is the
// secret, which no message of this package ever repeats.
type APIToken struct {
	Name  string
	Token string
}

// String names the token and hides its secret, so a Config printed by
// mistake leaks nothing.
func (t APIToken) String() string { return t.Name + "=…" }

// GoString does the same for %#v.
func (t APIToken) GoString() string { return fmt.Sprintf("config.APIToken{Name: %q}", t.Name) }

// apiTokens reads WARROOM_API_TOKENS: comma-separated tokens, each bare or
// `name=token`. A bare token is named by its place in the list
// (token-1, token-2…). The first '=' separates a name from its token, so
// a token holding '=' (base64 padding) must be given a name. Problems
// name the item by its position, never by its text: the text is a secret.
func (r *reader) apiTokens(c *Config) {
	const name = "WARROOM_API_TOKENS"
	v := r.get(name, "")
	if v == "" {
		return
	}
	names, secrets := map[string]bool{}, map[string]bool{}
	var out []APIToken
	for i, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		n := i + 1
		if item == "" {
			r.fail(name, fmt.Sprintf("has an empty item (number %d); remove the extra comma.", n))
			return
		}
		t := APIToken{Name: fmt.Sprintf("token-%d", n), Token: item}
		if before, after, ok := strings.Cut(item, "="); ok {
			t.Name, t.Token = strings.TrimSpace(before), strings.TrimSpace(after)
		}
		switch {
		case !validTokenName(t.Name):
			r.fail(name, fmt.Sprintf("item %d: a token's name may hold only letters, digits, '.', '-' and '_', at most 64 characters.", n))
			return
		case t.Token == "" || strings.ContainsAny(t.Token, " \t"):
			r.fail(name, fmt.Sprintf("item %d (%s): the token is empty or holds a space.", n, t.Name))
			return
		case names[t.Name]:
			r.fail(name, fmt.Sprintf("names %s twice; each token needs its own name.", t.Name))
			return
		case secrets[t.Token]:
			r.fail(name, fmt.Sprintf("item %d (%s) repeats an earlier token; give each client its own.", n, t.Name))
			return
		}
		names[t.Name], secrets[t.Token] = true, true
		out = append(out, t)
	}
	c.APITokens = out
}

func validTokenName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
