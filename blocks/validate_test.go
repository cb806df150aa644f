package blocks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Block Kit limits for messages, as Slack documents them. checkMessage reads
// the JSON that would go on the wire, so it judges what Slack would judge,
// whatever Go types produced it.
const (
	limitBlocks         = 50
	limitText           = 3000 // section text, context element text
	limitField          = 2000
	limitFields         = 10
	limitHeader         = 150
	limitButtonText     = 75
	limitActionID       = 255
	limitBlockID        = 255
	limitURL            = 3000
	limitValue          = 2000
	limitActionElements = 25
	limitContextElems   = 10
	limitFallback       = 40000 // Slack truncates message text beyond this
	limitAckBytes       = 20480 // slack-go refuses Socket Mode acks this big
)

// marshal renders blocks the way slack-go sends them, but without HTML
// escaping so '<' and '&' can be inspected (and goldens read) as they are.
func marshal(tb testing.TB, v any) []byte {
	tb.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return buf.Bytes()
}

// checkMessage fails tb for every Block Kit limit the message breaks.
func checkMessage(tb testing.TB, fallback string, blocks []slack.Block) {
	tb.Helper()
	for _, err := range messageErrors(tb, fallback, blocks) {
		tb.Error(err)
	}
	if tb.Failed() {
		tb.Logf("message: %s\n%s", fallback, marshal(tb, blocks))
		tb.FailNow()
	}
}

type jsonObj = map[string]any

func messageErrors(tb testing.TB, fallback string, blocks []slack.Block) []error {
	tb.Helper()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if n := chars(fallback); n == 0 || n > limitFallback {
		bad("fallback text has %d characters", n)
	}
	if !utf8.ValidString(fallback) {
		bad("fallback text is not UTF-8")
	}
	var decoded []jsonObj
	if err := json.Unmarshal(marshal(tb, blocks), &decoded); err != nil {
		tb.Fatalf("blocks do not round-trip: %v", err)
	}
	if len(decoded) == 0 || len(decoded) > limitBlocks {
		bad("%d blocks", len(decoded))
	}
	actionIDs := map[string]bool{}
	blockIDs := map[string]bool{}
	for i, b := range decoded {
		at := fmt.Sprintf("block %d (%v)", i, b["type"])
		if id, ok := b["block_id"].(string); ok {
			if id == "" || len(id) > limitBlockID || blockIDs[id] {
				bad("%s: block_id %q empty, too long or repeated", at, id)
			}
			blockIDs[id] = true
		}
		switch b["type"] {
		case "header":
			checkText(bad, at+" text", b["text"], "plain_text", limitHeader)
		case "section":
			if b["text"] == nil && b["fields"] == nil {
				bad("%s: neither text nor fields", at)
			}
			if b["text"] != nil {
				checkText(bad, at+" text", b["text"], "", limitText)
			}
			if f, ok := b["fields"].([]any); ok {
				if len(f) == 0 || len(f) > limitFields {
					bad("%s: %d fields", at, len(f))
				}
				for j, field := range f {
					checkText(bad, fmt.Sprintf("%s field %d", at, j), field, "", limitField)
				}
			}
		case "context":
			elems, _ := b["elements"].([]any)
			if len(elems) == 0 || len(elems) > limitContextElems {
				bad("%s: %d elements", at, len(elems))
			}
			for j, e := range elems {
				checkText(bad, fmt.Sprintf("%s element %d", at, j), e, "", limitText)
			}
		case "actions":
			elems, _ := b["elements"].([]any)
			if len(elems) == 0 || len(elems) > limitActionElements {
				bad("%s: %d elements", at, len(elems))
			}
			for j, e := range elems {
				checkButton(bad, fmt.Sprintf("%s element %d", at, j), e, actionIDs)
			}
		case "divider":
		default:
			bad("%s: a block type these messages do not use", at)
		}
	}
	return errs
}

func checkButton(bad func(string, ...any), at string, v any, actionIDs map[string]bool) {
	e, ok := v.(jsonObj)
	if !ok || e["type"] != "button" {
		bad("%s: not a button: %v", at, v)
		return
	}
	checkText(bad, at+" text", e["text"], "plain_text", limitButtonText)
	id, _ := e["action_id"].(string)
	if id == "" || len(id) > limitActionID || actionIDs[id] {
		bad("%s: action_id %q empty, too long or not unique", at, id)
	}
	actionIDs[id] = true
	if u, ok := e["url"].(string); ok && (u == "" || chars(u) > limitURL) {
		bad("%s: url of %d characters", at, chars(u))
	}
	if val, ok := e["value"].(string); ok && chars(val) > limitValue {
		bad("%s: value of %d characters", at, chars(val))
	}
	if s, ok := e["style"].(string); ok && s != "primary" && s != "danger" {
		bad("%s: style %q", at, s)
	}
}

// checkText checks a text object: its type (want "" allows either) and a
// length between 1 and max characters.
func checkText(bad func(string, ...any), at string, v any, want string, max int) {
	t, ok := v.(jsonObj)
	if !ok {
		bad("%s: not a text object: %v", at, v)
		return
	}
	typ, _ := t["type"].(string)
	if typ != "plain_text" && typ != "mrkdwn" || want != "" && typ != want {
		bad("%s: type %q", at, typ)
	}
	if _, ok := t["emoji"]; ok && typ == "mrkdwn" {
		bad("%s: emoji set on mrkdwn", at)
	}
	s, _ := t["text"].(string)
	if n := chars(s); n == 0 || n > max {
		bad("%s: %d characters, limit %d", at, n, max)
	}
}

// chars counts s in UTF-16 units, the stricter of the two ways Slack might
// count characters (an emoji is one code point but two units).
func chars(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// liveMarkup finds everything Slack would treat as markup: <…> sequences.
var liveMarkup = regexp.MustCompile(`<[^>]*>?`)

// ourRefs are the only live references warroom writes itself: the declarer
// and the incident channel, by ID.
var ourRefs = regexp.MustCompile(`^<[@#][A-Z0-9]{2,40}>$`)

// checkNoUserMarkup fails if s holds any '<…>' other than warroom's own
// user and channel references: all user text must arrive escaped.
func checkNoUserMarkup(tb testing.TB, what, s string) {
	tb.Helper()
	for _, m := range liveMarkup.FindAllString(s, -1) {
		if !ourRefs.MatchString(m) {
			tb.Fatalf("%s holds live markup %q:\n%s", what, m, s)
		}
	}
}

func TestCheckMessageCatchesViolations(t *testing.T) {
	long := func(n int) string { return string(bytes.Repeat([]byte("x"), n)) }
	btn := func(id string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(id, "", slack.NewTextBlockObject("plain_text", "Go", false, false))
	}
	tests := map[string][]slack.Block{
		"no blocks":       nil,
		"long header":     {slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", long(151), false, false))},
		"mrkdwn header":   {slack.NewHeaderBlock(slack.NewTextBlockObject("mrkdwn", "x", false, false))},
		"long section":    {slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", long(3001), false, false), nil, nil)},
		"empty section":   {slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "", false, false), nil, nil)},
		"long field":      {slack.NewSectionBlock(nil, []*slack.TextBlockObject{slack.NewTextBlockObject("mrkdwn", long(2001), false, false)}, nil)},
		"duplicate ids":   {slack.NewActionBlock("", btn("a"), btn("a"))},
		"long button":     {slack.NewActionBlock("", slack.NewButtonBlockElement("a", "", slack.NewTextBlockObject("plain_text", long(76), false, false)))},
		"long url":        {slack.NewActionBlock("", btn("a").WithURL("https://"+long(3000)))},
		"long value":      {slack.NewActionBlock("", slack.NewButtonBlockElement("a", long(2001), slack.NewTextBlockObject("plain_text", "Go", false, false)))},
		"long action_id":  {slack.NewActionBlock("", btn(long(256)))},
		"unknown block":   {slack.NewImageBlock("https://x/y.png", "alt", "", nil)},
		"too many fields": {slack.NewSectionBlock(nil, bytesFields(11), nil)},
	}
	for name, blocks := range tests {
		if errs := messageErrors(t, "fallback", blocks); len(errs) == 0 {
			t.Errorf("%s: no error", name)
		}
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	if errs := messageErrors(t, "fallback", many); len(errs) == 0 {
		t.Errorf("51 blocks: no error")
	}
	if errs := messageErrors(t, "", []slack.Block{slack.NewDividerBlock()}); len(errs) == 0 {
		t.Errorf("empty fallback: no error")
	}
}

func bytesFields(n int) []*slack.TextBlockObject {
	f := make([]*slack.TextBlockObject, n)
	for i := range f {
		f[i] = slack.NewTextBlockObject("mrkdwn", "x", false, false)
	}
	return f
}
