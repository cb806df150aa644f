package warroom_test

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warroom-dev/warroom"
)

var nov23 = time.Date(2026, time.November, 23, 9, 30, 0, 0, time.UTC)

func TestSlug(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Checkout is down", "checkout-is-down"},
		{"  Checkout   is down!!  ", "checkout-is-down"},
		{"API 5xx > 10% (eu-west-1)", "api-5xx-10-eu-west-1"},
		{"Café crème brûlée", "cafe-creme-brulee"},
		{"Straße in Øresund", "strasse-in-oresund"},
		{"Ærø Łódź Æsir", "aero-lodz-aesir"},
		{"Œuvre Þing ıstanbul", "oeuvre-thing-istanbul"},
		{"ＦＵＬＬ ｗｉｄｔｈ ﬁx", "full-width-fix"}, // NFKD folds compatibility forms
		{"snake_case__name", "snake-case-name"},
		{"<!channel> <@U123|bob> paged", "channel-u123-bob-paged"},
		{"🔥🔥", "incident"},
		{"日本語", "incident"},
		{"", "incident"},
		{"---", "incident"},
		{"Ünïcödé 日本 mix", "unicode-mix"},
		{"bad \xff\xfe utf8", "bad-utf8"},
	}
	for _, tt := range tests {
		if got := warroom.Slug(tt.title); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestChannelName(t *testing.T) {
	long := strings.Repeat("word ", 40) // 200 chars of slug material
	tests := []struct {
		name   string
		prefix string
		t      time.Time
		title  string
		n      int
		want   string
	}{
		{"basic", "inc-", nov23, "Checkout is down", 1, "inc-20261123-checkout-is-down"},
		{"retry", "inc-", nov23, "Checkout is down", 2, "inc-20261123-checkout-is-down-2"},
		{"n zero is first attempt", "inc-", nov23, "Checkout is down", 0, "inc-20261123-checkout-is-down"},
		{"no prefix", "", nov23, "DB", 1, "20261123-db"},
		{"empty slug", "inc-", nov23, "🔥🔥", 3, "inc-20261123-incident-3"},
		{"date in t's location", "inc-", time.Date(2026, 11, 23, 23, 30, 0, 0, time.FixedZone("X", -8*3600)), "x", 1, "inc-20261123-x"},
		{
			"long title cut at a word",
			"inc-", nov23, long, 1,
			"inc-20261123-word-word-word-word-word-word-word-word-word-word-word-word-word",
		},
		{
			"suffix still fits",
			"inc-", nov23, long, 12,
			"inc-20261123-word-word-word-word-word-word-word-word-word-word-word-word-word-12",
		},
		{
			"one long word is cut hard",
			"inc-", nov23, strings.Repeat("a", 100), 1,
			"inc-20261123-" + strings.Repeat("a", 67),
		},
		{
			"huge prefix keeps the suffix",
			strings.Repeat("p", 90), nov23, "x", 7,
			strings.Repeat("p", 78) + "-7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := warroom.ChannelName(tt.prefix, tt.t, tt.title, tt.n)
			if got != tt.want {
				t.Errorf("ChannelName = %q (%d), want %q (%d)", got, len(got), tt.want, len(tt.want))
			}
			checkChannelName(t, got)
		})
	}
}

func TestValidChannelName(t *testing.T) {
	for _, s := range []string{"inc-", "a", "x_1", strings.Repeat("a", 80)} {
		if !warroom.ValidChannelName(s) {
			t.Errorf("ValidChannelName(%q) = false", s)
		}
	}
	for _, s := range []string{"", "Inc-", "inc ", "inc.", "é", "#inc", strings.Repeat("a", 81)} {
		if warroom.ValidChannelName(s) {
			t.Errorf("ValidChannelName(%q) = true", s)
		}
	}
}

// TestChannelNameProperties throws random titles, prefixes, dates and
// attempts at ChannelName and checks what every name must satisfy.
func TestChannelNameProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 -_.!&<>@#é ßøæŁ日本🔥\u0301\u200b\t\n")
	prefixChars := "abcxyz019-_"
	for range 20000 {
		title := make([]rune, rng.IntN(300))
		for i := range title {
			title[i] = alphabet[rng.IntN(len(alphabet))]
		}
		prefix := make([]byte, rng.IntN(12))
		if rng.IntN(50) == 0 {
			prefix = make([]byte, 60+rng.IntN(40))
		}
		for i := range prefix {
			prefix[i] = prefixChars[rng.IntN(len(prefixChars))]
		}
		when := time.Unix(rng.Int64N(1<<35)-1<<34, 0).In(time.FixedZone("z", rng.IntN(50000)-25000))
		n := rng.IntN(5)
		if rng.IntN(20) == 0 {
			n = rng.Int()
		}
		name := warroom.ChannelName(string(prefix), when, string(title), n)
		checkChannelName(t, name)
		if n > 1 && !strings.HasSuffix(name, "-"+strconv.Itoa(n)) {
			t.Fatalf("ChannelName(%q, %v, %q, %d) = %q: lost the suffix", prefix, when, string(title), n, name)
		}
		suffix := ""
		if n > 1 {
			suffix = "-" + strconv.Itoa(n)
		}
		head := string(prefix) + when.Format("20060102") + "-"
		if len(head)+len("incident")+len(suffix) > warroom.MaxChannelName {
			continue // no room for a slug: covered by the validity check alone
		}
		slug, ok := strings.CutPrefix(name, head)
		if ok {
			slug, ok = strings.CutSuffix(slug, suffix)
		}
		if !ok || !slugShape.MatchString(slug) {
			t.Fatalf("ChannelName(%q, %v, %q, %d) = %q: want %q + slug + %q", prefix, when, string(title), n, name, head, suffix)
		}
	}
}

// FuzzChannelName checks that any title, date and attempt yield a valid
// Slack channel name for any prefix made of valid characters.
func FuzzChannelName(f *testing.F) {
	f.Add("inc-", int64(1795426200), "Checkout is down", 1)
	f.Add("inc-", int64(0), "🔥🔥", 2)
	f.Add("", int64(-62135596800), "日本語 Straße", 10)
	f.Add("incident_", int64(253402300799), strings.Repeat("long title ", 30), 99)
	f.Add(strings.Repeat("p", 80), int64(1), "x", 3)
	f.Add("inc-", int64(1795426200), "<!channel> \xff\xfe", -5)
	f.Fuzz(func(t *testing.T, prefix string, unix int64, title string, n int) {
		// The property only holds for prefixes made of valid characters: keep those.
		prefix = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return -1
		}, prefix)
		name := warroom.ChannelName(prefix, time.Unix(unix, 0).UTC(), title, n)
		checkChannelName(t, name)
		if n > 1 && !strings.HasSuffix(name, "-"+strconv.Itoa(n)) {
			t.Fatalf("ChannelName(%q, %d, %q, %d) = %q: lost the suffix", prefix, unix, title, n, name)
		}
	})
}

// slackChannelName is Slack's rule, written independently of ValidChannelName.
var slackChannelName = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

// slugShape is words of letters and digits joined by single dashes: no empty
// words, nothing trailing.
var slugShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkChannelName(tb testing.TB, name string) {
	tb.Helper()
	if !slackChannelName.MatchString(name) || !warroom.ValidChannelName(name) {
		tb.Fatalf("%q (%d bytes) is not a valid Slack channel name", name, len(name))
	}
}
