package zoom

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Meeting passcodes: at most 10 of [a-zA-Z0-9@-_*], whatever the rules say.
const (
	maxPasscodeLen     = 10
	minGeneratedLen    = 6 // Zoom's own generated passcodes are never shorter
	passcodeDigits     = "0123456789"
	passcodeLower      = "abcdefghijklmnopqrstuvwxyz"
	passcodeUpper      = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	passcodeSpecial    = "@-_*"
	passcodeAlnum      = passcodeLower + passcodeUpper + passcodeDigits
	weakRunLength      = 4  // "1234", "abcd", "aaaa": weak in any passcode
	generateAttempts   = 64 // candidates drawn before GeneratePasscode gives up
	keyboardRunMinimum = 4  // "qwer", "asdf": weak like "abcd"
)

// keyboardRows are what "consecutive" also means to people (Zoom's own
// settings page cites "qwert"): runs along a row, either way, are weak.
var keyboardRows = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc"}

// commonPasscodes are the classic guesses; a passcode containing one is weak.
var commonPasscodes = []string{"password", "passw0rd", "letmein", "welcome", "iloveyou", "admin", "abc123", "123abc", "1q2w3e", "monkey", "dragon"}

// GeneratePasscode makes a random meeting passcode (from crypto/rand) that
// meets r and that Zoom accepts: max(r.Length, 6) characters, at most 10;
// digits only if r.OnlyAllowNumeric; the letters, digits, special
// characters and upper and lower case r requires; no run of
// r.ConsecutiveCharactersLength consecutive or repeated characters; and
// never a weak one (as ValidatePasscode judges with WeakEnhanceDetection),
// whatever r says. Its only special characters are the ones Zoom allows,
// and only when r requires one.
func GeneratePasscode(r PasscodeRules) (string, error) {
	n := min(max(r.Length, minGeneratedLen), maxPasscodeLen)
	strict := r
	strict.WeakEnhanceDetection = true
	for range generateAttempts {
		p, err := drawPasscode(n, r)
		if err != nil {
			return "", fmt.Errorf("zoom: generate passcode: %w", err)
		}
		if ValidatePasscode(p, strict) == nil {
			return p, nil
		}
	}
	// Every rule set Zoom offers leaves plenty of passcodes; this is a bug.
	return "", fmt.Errorf("zoom: generate passcode: no passcode found for rules %+v", r)
}

// drawPasscode draws n characters: one from each class r requires, the rest
// from the letters and digits (or the digits), in random order.
func drawPasscode(n int, r PasscodeRules) (string, error) {
	var required []string
	fill := passcodeAlnum
	if r.OnlyAllowNumeric {
		fill = passcodeDigits
	} else {
		switch {
		case r.HaveUpperAndLowerCharacters:
			required = append(required, passcodeLower, passcodeUpper)
		case r.HaveLetter:
			required = append(required, passcodeLower+passcodeUpper)
		}
		if r.HaveNumber {
			required = append(required, passcodeDigits)
		}
		if r.HaveSpecialCharacter {
			required = append(required, passcodeSpecial)
		}
	}
	b := make([]byte, n)
	for i := range b {
		set := fill
		if i < len(required) {
			set = required[i]
		}
		j, err := randIndex(len(set))
		if err != nil {
			return "", err
		}
		b[i] = set[j]
	}
	for i := len(b) - 1; i > 0; i-- { // Fisher–Yates
		j, err := randIndex(i + 1)
		if err != nil {
			return "", err
		}
		b[i], b[j] = b[j], b[i]
	}
	return string(b), nil
}

func randIndex(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}

// ValidatePasscode reports why Zoom would refuse p as a meeting passcode
// under r, or nil. Zoom documents its rules only loosely; this reads them
// strictly, so that what passes here passes at Zoom:
//   - always: 1 to 10 of [a-zA-Z0-9@-_*];
//   - Length: at least that many characters (at most 10 can be asked);
//   - OnlyAllowNumeric: digits only; it overrides the letter, special
//     character and case rules, as Zoom's settings page switches them off;
//   - HaveLetter, HaveNumber, HaveSpecialCharacter (one of @-_*),
//     HaveUpperAndLowerCharacters: at least one of each;
//   - ConsecutiveCharactersLength n of 4 or more: no run of n characters
//     that are consecutive ("1234", "dcba", letters in any case) or
//     repeated ("1111");
//   - WeakEnhanceDetection: not weak, i.e. no run of 4 such characters,
//     no 4 keys along a keyboard row ("qwer"), no common password
//     ("password", "abc123"), not one block repeated ("123123") and at
//     least 3 different characters.
func ValidatePasscode(p string, r PasscodeRules) error {
	if p == "" || len(p) > maxPasscodeLen || strings.Trim(p, passcodeAlnum+passcodeSpecial) != "" {
		return errors.New("passcode may only contain the characters a-z, A-Z, 0-9, @, -, _ and *, and 1 to 10 of them")
	}
	if need := min(r.Length, maxPasscodeLen); len(p) < need {
		return fmt.Errorf("passcode must have at least %d characters", need)
	}
	has := func(set string) bool { return strings.ContainsAny(p, set) }
	if r.OnlyAllowNumeric {
		if strings.Trim(p, passcodeDigits) != "" {
			return errors.New("passcode must contain only numeric characters")
		}
	} else {
		if r.HaveLetter && !has(passcodeLower+passcodeUpper) {
			return errors.New("passcode must contain at least 1 letter (such as a, b, c)")
		}
		if r.HaveUpperAndLowerCharacters && !(has(passcodeLower) && has(passcodeUpper)) {
			return errors.New("passcode must include both uppercase and lowercase characters")
		}
		if r.HaveSpecialCharacter && !has(passcodeSpecial) {
			return errors.New("passcode must contain at least 1 special character (@, -, _ or *)")
		}
	}
	if r.HaveNumber && !has(passcodeDigits) {
		return errors.New("passcode must contain at least 1 number (such as 1, 2, 3)")
	}
	if n := r.ConsecutiveCharactersLength; n >= weakRunLength && longestRun(p) >= n {
		return fmt.Errorf("passcode must not have %d or more consecutive or repeated characters (such as 1234, abcd or 1111)", n)
	}
	if r.WeakEnhanceDetection {
		if why := weakness(p); why != "" {
			return fmt.Errorf("passcode is weak: %s", why)
		}
	}
	return nil
}

// charClass groups characters whose codes can form a consecutive run.
func charClass(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return 1
	case c >= 'a' && c <= 'z':
		return 2
	}
	return 3 // special: only repeats count
}

// longestRun is the length of the longest run of characters that step by
// +1, by -1 or by 0 (the same character) throughout; letters ignore case.
func longestRun(p string) int {
	b := []byte(strings.ToLower(p))
	if len(b) == 0 {
		return 0
	}
	best, run, step := 1, 1, 0
	for i := 1; i < len(b); i++ {
		d := int(b[i]) - int(b[i-1])
		ok := charClass(b[i]) == charClass(b[i-1]) && (d == 0 || ((d == 1 || d == -1) && charClass(b[i]) != 3))
		switch {
		case !ok:
			run = 1
		case run >= 2 && d == step:
			run++
		default:
			run, step = 2, d
		}
		best = max(best, run)
	}
	return best
}

// weakness says why p is weak, or "".
func weakness(p string) string {
	lp := strings.ToLower(p)
	if longestRun(p) >= weakRunLength {
		return "it has a run of consecutive or repeated characters"
	}
	for _, row := range keyboardRows {
		rev := []byte(row)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		for _, r := range []string{row, string(rev)} {
			for i := 0; i+keyboardRunMinimum <= len(r); i++ {
				if strings.Contains(lp, r[i:i+keyboardRunMinimum]) {
					return "it follows a keyboard row"
				}
			}
		}
	}
	for _, c := range commonPasscodes {
		if strings.Contains(lp, c) {
			return "it contains a common password"
		}
	}
	for size := 1; size <= len(lp)/2; size++ {
		if len(lp)%size == 0 && strings.Repeat(lp[:size], len(lp)/size) == lp {
			return "it repeats a shorter passcode"
		}
	}
	distinct := map[rune]bool{}
	for _, c := range lp {
		distinct[c] = true
	}
	if len(distinct) < 3 {
		return "it has fewer than 3 different characters"
	}
	return ""
}
