package zoomfake

import (
	"errors"
	"fmt"
	"strings"
)

// The fake judges passcodes by the same reading of Zoom's rules as the
// client package's ValidatePasscode (a test checks that the two agree); it
// keeps its own copy so that it depends on nothing of warroom.

const (
	maxPasscodeLen  = 10
	minGeneratedLen = 6
	digits          = "0123456789"
	lowers          = "abcdefghijklmnopqrstuvwxyz"
	uppers          = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	specials        = "@-_*"
	alnum           = lowers + uppers + digits
	weakRun         = 4
)

var (
	keyboardRows    = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc"}
	commonPasscodes = []string{"password", "passw0rd", "letmein", "welcome", "iloveyou", "admin", "abc123", "123abc", "1q2w3e", "monkey", "dragon"}
)

// validatePasscode reports which of r's rules p breaks, or nil. The
// characters and the length limit are checked by the request validation.
func validatePasscode(p string, r PasscodeRules) error {
	if p == "" || len(p) > maxPasscodeLen || strings.Trim(p, alnum+specials) != "" {
		return errors.New("characters")
	}
	if len(p) < min(r.Length, maxPasscodeLen) {
		return errors.New("length")
	}
	has := func(set string) bool { return strings.ContainsAny(p, set) }
	if r.OnlyAllowNumeric {
		if strings.Trim(p, digits) != "" {
			return errors.New("only numeric")
		}
	} else {
		switch {
		case r.HaveLetter && !has(lowers+uppers):
			return errors.New("letter")
		case r.HaveUpperAndLowerCharacters && !(has(lowers) && has(uppers)):
			return errors.New("upper and lower")
		case r.HaveSpecialCharacter && !has(specials):
			return errors.New("special")
		}
	}
	if r.HaveNumber && !has(digits) {
		return errors.New("number")
	}
	if n := r.ConsecutiveCharactersLength; n >= weakRun && runLength(p) >= n {
		return errors.New("consecutive")
	}
	if r.WeakEnhanceDetection && isWeak(p) {
		return errors.New("weak")
	}
	return nil
}

// runLength is the longest run of characters stepping by +1, -1 or 0
// throughout (letters in any case; special characters only repeat).
func runLength(p string) int {
	b := []byte(strings.ToLower(p))
	class := func(c byte) byte {
		switch {
		case c >= '0' && c <= '9':
			return 'd'
		case c >= 'a' && c <= 'z':
			return 'l'
		}
		return 's'
	}
	best, run, step := 0, 0, 0
	for i := range b {
		if i == 0 {
			best, run = 1, 1
			continue
		}
		d := int(b[i]) - int(b[i-1])
		same := class(b[i]) == class(b[i-1])
		switch {
		case !same || !(d == 0 || (class(b[i]) != 's' && (d == 1 || d == -1))):
			run = 1
		case run > 1 && d == step:
			run++
		default:
			run, step = 2, d
		}
		best = max(best, run)
	}
	return best
}

// isWeak: a run of 4, 4 keys along a keyboard row (either way), a common
// password, a repeated block, or fewer than 3 different characters.
func isWeak(p string) bool {
	lp := strings.ToLower(p)
	if runLength(p) >= weakRun {
		return true
	}
	for _, row := range keyboardRows {
		for i := 0; i+weakRun <= len(row); i++ {
			seq := row[i : i+weakRun]
			rev := []byte(seq)
			for a, b := 0, len(rev)-1; a < b; a, b = a+1, b-1 {
				rev[a], rev[b] = rev[b], rev[a]
			}
			if strings.Contains(lp, seq) || strings.Contains(lp, string(rev)) {
				return true
			}
		}
	}
	for _, c := range commonPasscodes {
		if strings.Contains(lp, c) {
			return true
		}
	}
	for size := 1; size <= len(lp)/2; size++ {
		if len(lp)%size == 0 && strings.Repeat(lp[:size], len(lp)/size) == lp {
			return true
		}
	}
	seen := map[rune]bool{}
	for _, c := range lp {
		seen[c] = true
	}
	return len(seen) < 3
}

// generatePasscode makes up a passcode that meets r and is not weak, as
// Zoom does for a meeting created without one.
func generatePasscode(r PasscodeRules) string {
	n := min(max(r.Length, minGeneratedLen), maxPasscodeLen)
	set := alnum
	switch {
	case r.OnlyAllowNumeric:
		set = digits
	case r.HaveSpecialCharacter:
		set = alnum + specials
	}
	strict := r
	strict.WeakEnhanceDetection = true
	for range 10000 {
		b := randomBytes(n)
		for i := range b {
			b[i] = set[int(b[i])%len(set)]
		}
		if validatePasscode(string(b), strict) == nil {
			return string(b)
		}
	}
	panic(fmt.Sprintf("zoomfake: no passcode found for rules %+v", r))
}
