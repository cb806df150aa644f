package zoom_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/warroom-dev/warroom/zoom"
	"github.com/warroom-dev/warroom/zoom/zoomfake"
)

// randomRules draws a rule set of the kind Zoom's settings page allows
// (plus lengths below 6 and contradictory combinations, which happen).
func randomRules(rng *rand.Rand) zoom.PasscodeRules {
	return zoom.PasscodeRules{
		Length:                      rng.IntN(11),
		HaveLetter:                  rng.IntN(2) == 0,
		HaveNumber:                  rng.IntN(2) == 0,
		HaveSpecialCharacter:        rng.IntN(2) == 0,
		HaveUpperAndLowerCharacters: rng.IntN(2) == 0,
		OnlyAllowNumeric:            rng.IntN(4) == 0,
		ConsecutiveCharactersLength: []int{0, 4, 5, 6, 7, 8}[rng.IntN(6)],
		WeakEnhanceDetection:        rng.IntN(2) == 0,
	}
}

var zoomPasscodeRE = regexp.MustCompile(`^[a-zA-Z0-9@\-_*]{1,10}$`)

// longestStep is the test's own, brute-force reading of "consecutive
// characters": the longest window whose neighbours all differ by the same
// step of -1, 0 or +1 (letters compared in lower case).
func longestStep(p string) int {
	s := strings.ToLower(p)
	best := min(len(s), 1)
	for i := range len(s) {
		for j := i + 2; j <= len(s); j++ {
			w := s[i:j]
			step := int(w[1]) - int(w[0])
			ok := step >= -1 && step <= 1
			for k := 1; ok && k < len(w); k++ {
				d := int(w[k]) - int(w[k-1])
				isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
				isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' }
				sameClass := (isDigit(w[k]) && isDigit(w[k-1])) || (isLetter(w[k]) && isLetter(w[k-1])) || (d == 0)
				ok = d == step && sameClass
			}
			if ok {
				best = max(best, len(w))
			}
		}
	}
	return best
}

// TestGeneratePasscodeProperties checks generated passcodes against each
// rule directly (not only through ValidatePasscode, which could share a
// bug with the generator) over many random rule sets.
func TestGeneratePasscodeProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		r := randomRules(rng)
		p, err := zoom.GeneratePasscode(r)
		if err != nil {
			t.Fatalf("rules %+v: %v", r, err)
		}
		fail := func(why string) { t.Fatalf("rules %+v: passcode %q %s", r, p, why) }
		if !zoomPasscodeRE.MatchString(p) {
			fail("has characters Zoom refuses, or is too long")
		}
		if want := min(max(r.Length, 6), 10); len(p) != want {
			fail("has the wrong length")
		}
		has := func(set string) bool { return strings.ContainsAny(p, set) }
		const lower, upper, digits, special = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "@-_*"
		switch {
		case r.OnlyAllowNumeric && strings.Trim(p, digits) != "":
			fail("is not numeric")
		case !r.OnlyAllowNumeric && r.HaveLetter && !has(lower+upper):
			fail("has no letter")
		case !r.OnlyAllowNumeric && r.HaveUpperAndLowerCharacters && !(has(lower) && has(upper)):
			fail("lacks upper or lower case")
		case !r.OnlyAllowNumeric && r.HaveSpecialCharacter && !has(special):
			fail("has no special character")
		case r.HaveNumber && !has(digits):
			fail("has no number")
		case !r.HaveSpecialCharacter && has(special):
			fail("has a special character nobody asked for")
		case longestStep(p) >= 4:
			fail("has a run of 4 consecutive or repeated characters (weak, whatever the rules)")
		case r.ConsecutiveCharactersLength >= 4 && longestStep(p) >= r.ConsecutiveCharactersLength:
			fail("breaks the consecutive characters rule")
		}
		if err := zoom.ValidatePasscode(p, r); err != nil {
			fail("fails ValidatePasscode: " + err.Error())
		}
	}
}

func TestGeneratePasscodeIsRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		p, err := zoom.GeneratePasscode(zoom.PasscodeRules{OnlyAllowNumeric: true})
		if err != nil {
			t.Fatal(err)
		}
		seen[p] = true
	}
	// 10^6 six-digit codes: 1000 draws barely collide.
	if len(seen) < 990 {
		t.Errorf("%d distinct passcodes in 1000, want nearly all", len(seen))
	}
}

func TestValidatePasscode(t *testing.T) {
	base := zoom.PasscodeRules{Length: 6, HaveLetter: true, HaveNumber: true}
	with := func(f func(*zoom.PasscodeRules)) zoom.PasscodeRules { r := base; f(&r); return r }
	cases := []struct {
		p    string
		r    zoom.PasscodeRules
		want string // part of the error, "" for valid
	}{
		{"war42x", base, ""},
		{"aZ9@-_*xyz", base, ""},
		{"", zoom.PasscodeRules{}, "1 to 10"},
		{"has space1", base, "1 to 10"},
		{"elevenchar1", base, "1 to 10"},
		{"pass#1", base, "1 to 10"},
		{"ab12", base, "at least 6 characters"},
		{"a1b2c3d4e5", with(func(r *zoom.PasscodeRules) { r.Length = 12 }), ""}, // 10 is the most Zoom can ask
		{"abcdefgh", base, "1 number"},
		{"12345678", with(func(r *zoom.PasscodeRules) { r.Length = 0 }), "1 letter"},
		{"ab12cd", with(func(r *zoom.PasscodeRules) { r.HaveUpperAndLowerCharacters = true }), "uppercase and lowercase"},
		{"aB12cd", with(func(r *zoom.PasscodeRules) { r.HaveUpperAndLowerCharacters = true }), ""},
		{"ab12cd", with(func(r *zoom.PasscodeRules) { r.HaveSpecialCharacter = true }), "special character"},
		{"ab-12cd", with(func(r *zoom.PasscodeRules) { r.HaveSpecialCharacter = true }), ""},
		{"ab12cd", with(func(r *zoom.PasscodeRules) { r.OnlyAllowNumeric = true }), "only numeric"},
		{"830419", with(func(r *zoom.PasscodeRules) { r.OnlyAllowNumeric = true }), ""}, // the letter rule yields
		{"a1234x", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), "4 or more consecutive"},
		{"ab123x", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), ""},
		{"x9dcba", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), "consecutive"},
		{"x9AbCd", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), "consecutive"},
		{"7aaaa1", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), "consecutive"},
		{"7aaaa1", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 5 }), ""},
		{"ab9***", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), ""},
		{"ab9****", with(func(r *zoom.PasscodeRules) { r.ConsecutiveCharactersLength = 4 }), "consecutive"},
		{"a1234x", base, ""}, // no limit set
		{"89:;ab", base, "1 to 10"},
		{"123456", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"abcdef", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"654321", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"111111", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"123123", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"qwer71", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"Password1", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"112211", zoom.PasscodeRules{WeakEnhanceDetection: true}, "weak"},
		{"123456", zoom.PasscodeRules{}, ""},
		{"k7Rm2q", zoom.PasscodeRules{WeakEnhanceDetection: true}, ""},
	}
	for _, tc := range cases {
		err := zoom.ValidatePasscode(tc.p, tc.r)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ValidatePasscode(%q, %+v) = %v, want %q", tc.p, tc.r, err, tc.want)
		}
	}
}

// fakeRules is r as the fake takes it.
func fakeRules(r zoom.PasscodeRules) zoomfake.PasscodeRules {
	return zoomfake.PasscodeRules{
		Length: r.Length, HaveLetter: r.HaveLetter, HaveNumber: r.HaveNumber,
		HaveSpecialCharacter: r.HaveSpecialCharacter, HaveUpperAndLowerCharacters: r.HaveUpperAndLowerCharacters,
		OnlyAllowNumeric: r.OnlyAllowNumeric, ConsecutiveCharactersLength: r.ConsecutiveCharactersLength,
		WeakEnhanceDetection: r.WeakEnhanceDetection,
	}
}

// randomCandidate draws a passcode that is often close to the line: mostly
// legal characters, sometimes a run, sometimes too short.
func randomCandidate(rng *rand.Rand) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@-_*"
	n := 1 + rng.IntN(10)
	b := make([]byte, n)
	for i := range b {
		switch {
		case i > 0 && rng.IntN(3) == 0: // continue a run
			next := b[i-1] + byte(rng.IntN(3)) - 1
			if strings.IndexByte(chars, next) >= 0 {
				b[i] = next
				continue
			}
			fallthrough
		default:
			b[i] = chars[rng.IntN(len(chars))]
		}
	}
	return string(b)
}

// TestFakeJudgesPasscodesLikeTheClient creates meetings with passcodes
// near the rules' edges: the fake must accept exactly those
// ValidatePasscode accepts (it keeps its own copy of the rules), refuse the
// others as Zoom does, and make up valid passcodes itself.
func TestFakeJudgesPasscodesLikeTheClient(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	fake.SetDailyLimit(1 << 20)
	ctx := context.Background()
	const host = "incident-bot@example.com"
	rng := rand.New(rand.NewPCG(3, 4))
	accepted, refused := 0, 0
	for range 150 {
		r := randomRules(rng)
		fake.SetPasscodeRules(host, fakeRules(r))
		generated, err := zoom.GeneratePasscode(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{generated, randomCandidate(rng), randomCandidate(rng), randomCandidate(rng)} {
			m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled, Password: p})
			want := zoom.ValidatePasscode(p, r)
			var zerr *zoom.Error
			switch {
			case want == nil && err != nil:
				t.Fatalf("rules %+v: %q refused (%v), but ValidatePasscode accepts it", r, p, err)
			case want != nil && err == nil:
				t.Fatalf("rules %+v: %q accepted, but ValidatePasscode says %v", r, p, want)
			case err == nil:
				accepted++
				if m.Password != p || !strings.Contains(m.JoinURL, "?pwd=") {
					t.Fatalf("meeting passcode %q, join URL %s", m.Password, m.JoinURL)
				}
			case !errors.As(err, &zerr) || zerr.Status != 400 || zerr.Code != 300:
				t.Fatalf("rules %+v: %q: %v, want HTTP 400 code 300", r, p, err)
			default:
				refused++
			}
		}
		// Without a passcode, the fake makes one up that meets the rules.
		m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
		if err != nil {
			t.Fatal(err)
		}
		if err := zoom.ValidatePasscode(m.Password, r); err != nil {
			t.Fatalf("rules %+v: the fake made up %q: %v", r, m.Password, err)
		}
	}
	if accepted < 150 || refused < 100 {
		t.Errorf("%d accepted, %d refused: the candidates do not probe both sides", accepted, refused)
	}
}

func TestFakeRefusesPasscodeAgainstRules(t *testing.T) {
	c, fake := setup(t, zoomfake.Config{})
	ctx := context.Background()
	fake.SetPasscodeRules("incident-bot@example.com", zoomfake.PasscodeRules{Length: 8, OnlyAllowNumeric: true})
	_, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled, Password: "abc12345"})
	var zerr *zoom.Error
	if !errors.As(err, &zerr) || zerr.Status != 400 || zerr.Code != 300 || zerr.Message != "Invalid parameter: password." {
		t.Fatalf("err = %v, want 400 code 300 Invalid parameter: password.", err)
	}
	m, err := c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Password) != 8 || strings.Trim(m.Password, "0123456789") != "" {
		t.Errorf("made-up passcode %q, want 8 digits", m.Password)
	}
	// Updates are held to the same rules.
	if err := c.UpdateMeeting(ctx, m.ID, zoom.UpdateMeetingRequest{Password: ptr("1234")}); !errors.As(err, &zerr) || zerr.Code != 300 {
		t.Errorf("update with a short passcode: %v", err)
	}
	if err := c.UpdateMeeting(ctx, m.ID, zoom.UpdateMeetingRequest{Password: ptr("80417735")}); err != nil {
		t.Errorf("update with a valid passcode: %v", err)
	}
	if got, _ := c.GetMeeting(ctx, m.ID); got.Password != "80417735" || got.JoinURL == m.JoinURL {
		t.Errorf("after the update: passcode %q, join URL %s (was %s)", got.Password, got.JoinURL, m.JoinURL)
	}

	// Without a passcode requirement, no passcode is made up and the link
	// carries none.
	fake.SetRequirePasscode("incident-bot@example.com", false)
	m, err = c.CreateMeeting(ctx, "me", zoom.CreateMeetingRequest{Topic: "t", Type: zoom.MeetingScheduled})
	if err != nil {
		t.Fatal(err)
	}
	if m.Password != "" || strings.Contains(m.JoinURL, "pwd=") {
		t.Errorf("passcode %q, join URL %s, want neither", m.Password, m.JoinURL)
	}
}
