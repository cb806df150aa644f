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
	ids := newIDs()
	for i, b := range decoded {
		at := fmt.Sprintf("block %d (%v)", i, b["type"])
		checkBlock(bad, at, b, ids, false)
	}
	return errs
}

// ids are the block_ids and action_ids seen so far in one message or view:
// each must be unique there.
type ids struct{ blocks, actions map[string]bool }

func newIDs() ids { return ids{blocks: map[string]bool{}, actions: map[string]bool{}} }

// action records an action_id, reporting a missing, long or repeated one.
func (ids ids) action(bad func(string, ...any), at string, e jsonObj) {
	id, _ := e["action_id"].(string)
	if id == "" || len(id) > limitActionID || ids.actions[id] {
		bad("%s: action_id %q empty, too long or not unique", at, id)
	}
	ids.actions[id] = true
}

// checkBlock checks one block of a message, or of a modal when modal is set
// (modals also take input blocks).
func checkBlock(bad func(string, ...any), at string, b jsonObj, ids ids, modal bool) {
	if id, ok := b["block_id"].(string); ok {
		if id == "" || len(id) > limitBlockID || ids.blocks[id] {
			bad("%s: block_id %q empty, too long or repeated", at, id)
		}
		ids.blocks[id] = true
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
		if b["accessory"] != nil {
			bad("%s: an accessory, which these messages do not use", at)
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
			checkButton(bad, fmt.Sprintf("%s element %d", at, j), e, ids.actions)
		}
	case "divider":
	case "input":
		if !modal {
			bad("%s: an input block in a message", at)
			return
		}
		checkInput(bad, at, b, ids)
	default:
		bad("%s: a block type these messages do not use", at)
	}
}

func checkButton(bad func(string, ...any), at string, v any, actionIDs map[string]bool) {
	e, ok := v.(jsonObj)
	if !ok || e["type"] != "button" {
		bad("%s: not a button: %v", at, v)
		return
	}
	checkText(bad, at+" text", e["text"], "plain_text", limitButtonText)
	ids{actions: actionIDs}.action(bad, at, e)
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

// ourRefs are the only live references warroom writes itself: people and
// the incident channel by ID, and dates (dateRef's and SlackDate's).
var ourRefs = regexp.MustCompile(`^(<[@#][A-Z0-9]{2,40}>|<!date\^-?[0-9]+\^\{date_short_pretty\}( at)? \{time\}\|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC>)$`)

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
		"input":           {slack.NewInputBlock("x", slack.NewTextBlockObject("plain_text", "X", false, false), nil, slack.NewPlainTextInputBlockElement(nil, "x"))},
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

// Block Kit limits for modals (views.open), as Slack documents them.
const (
	limitModalBlocks     = 100
	limitModalTitle      = 24 // title, submit and close
	limitCallbackID      = 255
	limitMetadata        = 3000
	limitLabel           = 2000
	limitHint            = 2000
	limitPlaceholder     = 150
	limitOptionText      = 75
	limitOptionValue     = 150
	limitOptionDesc      = 75
	limitSelectOptions   = 100
	limitCheckboxOptions = 10
	limitInputLength     = 3000
)

// checkModal fails tb for every Block Kit limit the modal breaks.
func checkModal(tb testing.TB, view slack.ModalViewRequest) {
	tb.Helper()
	for _, err := range modalErrors(tb, view) {
		tb.Error(err)
	}
	if tb.Failed() {
		tb.Logf("modal:\n%s", marshal(tb, view))
		tb.FailNow()
	}
}

func modalErrors(tb testing.TB, view slack.ModalViewRequest) []error {
	tb.Helper()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	var v jsonObj
	if err := json.Unmarshal(marshal(tb, view), &v); err != nil {
		tb.Fatalf("modal does not round-trip: %v", err)
	}
	if v["type"] != "modal" {
		bad("type %v", v["type"])
	}
	checkText(bad, "title", v["title"], "plain_text", limitModalTitle)
	for _, k := range []string{"submit", "close"} {
		if v[k] != nil {
			checkText(bad, k, v[k], "plain_text", limitModalTitle)
		}
	}
	if id, _ := v["callback_id"].(string); id == "" || len(id) > limitCallbackID {
		bad("callback_id %q", id)
	}
	if md, _ := v["private_metadata"].(string); chars(md) > limitMetadata {
		bad("private_metadata of %d characters", chars(md))
	}
	blocks, _ := v["blocks"].([]any)
	if len(blocks) == 0 || len(blocks) > limitModalBlocks {
		bad("%d blocks", len(blocks))
	}
	ids := newIDs()
	inputs := 0
	for i, raw := range blocks {
		b, _ := raw.(jsonObj)
		at := fmt.Sprintf("block %d (%v)", i, b["type"])
		if b["type"] == "input" {
			inputs++
		}
		checkBlock(bad, at, b, ids, true)
	}
	if inputs > 0 && v["submit"] == nil {
		bad("input blocks but no submit button")
	}
	return errs
}

// checkInput checks an input block: its label, hint and element.
func checkInput(bad func(string, ...any), at string, b jsonObj, ids ids) {
	if id, _ := b["block_id"].(string); id == "" {
		bad("%s: an input without a block_id: its value could not be read back", at)
	}
	checkText(bad, at+" label", b["label"], "plain_text", limitLabel)
	if b["hint"] != nil {
		checkText(bad, at+" hint", b["hint"], "plain_text", limitHint)
	}
	e, ok := b["element"].(jsonObj)
	if !ok {
		bad("%s: no element", at)
		return
	}
	at += fmt.Sprintf(" element (%v)", e["type"])
	ids.action(bad, at, e)
	if e["placeholder"] != nil {
		checkText(bad, at+" placeholder", e["placeholder"], "plain_text", limitPlaceholder)
	}
	options, _ := e["options"].([]any)
	switch e["type"] {
	case "plain_text_input":
		max, hasMax := e["max_length"].(float64)
		if hasMax && (max < 1 || max > limitInputLength) {
			bad("%s: max_length %v", at, max)
		}
		if !hasMax {
			max = limitInputLength
		}
		if iv, ok := e["initial_value"].(string); ok && (iv == "" || utf8.RuneCountInString(iv) > int(max)) {
			bad("%s: initial_value of %d characters, max_length %v", at, utf8.RuneCountInString(iv), max)
		}
	case "static_select":
		checkOptions(bad, at, options, limitSelectOptions, "plain_text")
		checkInitial(bad, at, options, e["initial_option"])
	case "multi_users_select":
		if users, ok := e["initial_users"].([]any); ok && len(users) == 0 {
			bad("%s: empty initial_users", at)
		}
	case "checkboxes":
		checkOptions(bad, at, options, limitCheckboxOptions, "")
		if init, ok := e["initial_options"].([]any); ok {
			if len(init) == 0 {
				bad("%s: empty initial_options", at)
			}
			for _, o := range init {
				checkInitial(bad, at, options, o)
			}
		}
	case "radio_buttons":
		checkOptions(bad, at, options, limitCheckboxOptions, "")
		checkInitial(bad, at, options, e["initial_option"])
	default:
		bad("%s: an element these modals do not use", at)
	}
}

func checkOptions(bad func(string, ...any), at string, options []any, max int, textType string) {
	if len(options) == 0 || len(options) > max {
		bad("%s: %d options", at, len(options))
	}
	values := map[string]bool{}
	for j, raw := range options {
		o, _ := raw.(jsonObj)
		oat := fmt.Sprintf("%s option %d", at, j)
		checkText(bad, oat+" text", o["text"], textType, limitOptionText)
		if o["description"] != nil {
			checkText(bad, oat+" description", o["description"], textType, limitOptionDesc)
		}
		v, _ := o["value"].(string)
		if v == "" || len(v) > limitOptionValue || values[v] {
			bad("%s: value %q empty, too long or repeated", oat, v)
		}
		values[v] = true
	}
}

// checkInitial: an initial option must be one of the options, exactly.
func checkInitial(bad func(string, ...any), at string, options []any, initial any) {
	if initial == nil {
		return
	}
	want, _ := json.Marshal(initial)
	for _, o := range options {
		if got, _ := json.Marshal(o); bytes.Equal(got, want) {
			return
		}
	}
	bad("%s: initial option %s is not one of the options", at, want)
}

func TestCheckModalCatchesViolations(t *testing.T) {
	long := func(n int) string { return string(bytes.Repeat([]byte("x"), n)) }
	pt := func(s string) *slack.TextBlockObject { return slack.NewTextBlockObject("plain_text", s, false, false) }
	input := func(id string, e slack.BlockElement) *slack.InputBlock {
		return slack.NewInputBlock(id, pt("Label"), nil, e)
	}
	text := func(id string) *slack.PlainTextInputBlockElement { return slack.NewPlainTextInputBlockElement(nil, id) }
	opt := func(v, s string) *slack.OptionBlockObject { return slack.NewOptionBlockObject(v, pt(s), nil) }
	modal := func(blocks ...slack.Block) slack.ModalViewRequest {
		return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "cb", Title: pt("Title"), Submit: pt("OK"), Blocks: slack.Blocks{BlockSet: blocks}}
	}
	good := modal(input("a", text("a")))
	if errs := modalErrors(t, good); len(errs) != 0 {
		t.Fatalf("a good modal: %v", errs)
	}
	tooMany := modal()
	for i := range 101 {
		tooMany.Blocks.BlockSet = append(tooMany.Blocks.BlockSet, input(fmt.Sprint(i), text(fmt.Sprint(i))))
	}
	tests := map[string]slack.ModalViewRequest{
		"no blocks":        modal(),
		"101 blocks":       tooMany,
		"long title":       func() slack.ModalViewRequest { m := good; m.Title = pt(long(25)); return m }(),
		"long submit":      func() slack.ModalViewRequest { m := good; m.Submit = pt(long(25)); return m }(),
		"long close":       func() slack.ModalViewRequest { m := good; m.Close = pt(long(25)); return m }(),
		"no submit":        func() slack.ModalViewRequest { m := good; m.Submit = nil; return m }(),
		"no callback":      func() slack.ModalViewRequest { m := good; m.CallbackID = ""; return m }(),
		"long metadata":    func() slack.ModalViewRequest { m := good; m.PrivateMetadata = long(3001); return m }(),
		"not a modal":      func() slack.ModalViewRequest { m := good; m.Type = "home"; return m }(),
		"same block_id":    modal(input("a", text("a")), input("a", text("b"))),
		"same action":      modal(input("a", text("x")), input("b", text("x"))),
		"no block_id":      modal(input("", text("a"))),
		"long label":       modal(slack.NewInputBlock("a", pt(long(2001)), nil, text("a"))),
		"mrkdwn label":     modal(slack.NewInputBlock("a", slack.NewTextBlockObject("mrkdwn", "L", false, false), nil, text("a"))),
		"long hint":        modal(slack.NewInputBlock("a", pt("L"), pt(long(2001)), text("a"))),
		"long placeholder": modal(input("a", slack.NewPlainTextInputBlockElement(pt(long(151)), "a"))),
		"initial over max": modal(input("a", text("a").WithMaxLength(3).WithInitialValue("abcd"))),
		"long option":      modal(input("a", slack.NewOptionsSelectBlockElement("static_select", nil, "a", opt("1", long(76))))),
		"no options":       modal(input("a", slack.NewOptionsSelectBlockElement("static_select", nil, "a"))),
		"same values":      modal(input("a", slack.NewCheckboxGroupsBlockElement("a", opt("1", "x"), opt("1", "y")))),
		"foreign initial":  modal(input("a", slack.NewOptionsSelectBlockElement("static_select", nil, "a", opt("1", "x")).WithInitialOption(opt("2", "y")))),
		"11 checkboxes": modal(input("a", slack.NewCheckboxGroupsBlockElement("a",
			opt("1", "x"), opt("2", "x"), opt("3", "x"), opt("4", "x"), opt("5", "x"), opt("6", "x"),
			opt("7", "x"), opt("8", "x"), opt("9", "x"), opt("10", "x"), opt("11", "x")))),
		"unknown element": modal(input("a", slack.NewDatePickerBlockElement("a"))),
	}
	for name, view := range tests {
		if errs := modalErrors(t, view); len(errs) == 0 {
			t.Errorf("%s: no error", name)
		}
	}
}
