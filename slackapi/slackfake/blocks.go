package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces on messages (modals allow 100 blocks).
const (
	maxMessageBlocks = 50
	maxModalBlocks   = 100
	// maxBlocksBytes stands in for Slack's undocumented total size limit
	// behind msg_blocks_too_long.
	maxBlocksBytes = 100_000
)

// blockResult is the outcome of checking a blocks parameter.
type blockResult struct {
	blocks   json.RawMessage // normalised; nil when absent or empty
	code     string          // Slack error, "" if valid
	messages []string        // Slack's explanation, for response_metadata.messages
}

func (r blockResult) errorBody() map[string]any {
	if len(r.messages) == 0 {
		return nil
	}
	return map[string]any{"response_metadata": map[string]any{"messages": r.messages}}
}

// checkBlocks validates Block Kit JSON as Slack does and returns it as Slack
// stores it: blocks without a block_id, and interactive elements without an
// action_id, get generated ones (clicks carry them, so they must exist).
func checkBlocks(raw json.RawMessage, maxBlocks int) blockResult {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return blockResult{}
	}
	var blocks []any
	if err := decodeJSON(raw, &blocks); err != nil {
		return blockResult{code: "invalid_blocks_format"}
	}
	if len(blocks) == 0 {
		return blockResult{}
	}
	v := &blockValidator{blockIDs: map[string]bool{}}
	if len(blocks) > maxBlocks {
		v.fail("/blocks", "no more than %d items allowed", maxBlocks)
	}
	for i, b := range blocks {
		path := fmt.Sprintf("/blocks/%d", i)
		m, ok := b.(map[string]any)
		if !ok {
			v.fail(path, "must be an object")
			continue
		}
		v.block(path, m)
		if _, ok := m["block_id"].(string); !ok {
			m["block_id"] = randomShortID()
		}
		fillActionIDs(m)
	}
	if len(v.errs) > 0 {
		return blockResult{code: "invalid_blocks", messages: v.errs}
	}
	out, err := json.Marshal(blocks)
	if err != nil {
		return blockResult{code: "invalid_blocks_format"}
	}
	if len(out) > maxBlocksBytes {
		return blockResult{code: "msg_blocks_too_long"}
	}
	return blockResult{blocks: out}
}

// decodeJSON keeps numbers as written, so stored blocks round-trip exactly.
func decodeJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// elementsOf lists the interactive elements of a block: actions elements and
// a section's accessory.
func elementsOf(block map[string]any) []map[string]any {
	var out []map[string]any
	if acc, ok := block["accessory"].(map[string]any); ok {
		out = append(out, acc)
	}
	if block["type"] == "actions" {
		els, _ := block["elements"].([]any)
		for _, e := range els {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func fillActionIDs(block map[string]any) {
	for _, e := range elementsOf(block) {
		if _, ok := e["action_id"].(string); !ok && e["type"] != "image" {
			e["action_id"] = randomShortID()
		}
	}
}

// blockValidator collects errors in Slack's wording:
// "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]".
type blockValidator struct {
	errs     []string
	blockIDs map[string]bool
}

func (v *blockValidator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, args...), path))
}

func (v *blockValidator) block(path string, b map[string]any) {
	typ, _ := b["type"].(string)
	if typ == "" {
		v.fail(path, "missing required field: type")
		return
	}
	if id, ok := b["block_id"].(string); ok {
		v.maxLen(path+"/block_id", id, 255)
		if v.blockIDs[id] {
			v.fail(path+"/block_id", "duplicate block_id")
		}
		v.blockIDs[id] = true
	}
	switch typ {
	case "section":
		v.section(path, b)
	case "header":
		if text, ok := b["text"].(map[string]any); ok {
			v.text(path+"/text", text, 150, true)
		} else {
			v.fail(path, "missing required field: text")
		}
	case "actions":
		v.actions(path, b)
	case "call":
		// Slack draws the Call (calls.add) with its participants and a
		// Join button; the block only names it.
		if id, _ := b["call_id"].(string); id == "" {
			v.fail(path, "missing required field: call_id")
		}
	case "context":
		els, _ := b["elements"].([]any)
		v.itemCount(path+"/elements", len(els), 10)
	}
}

func (v *blockValidator) section(path string, b map[string]any) {
	text, hasText := b["text"].(map[string]any)
	fields, hasFields := b["fields"].([]any)
	if !hasText && !hasFields {
		v.fail(path, "must provide either text or fields")
	}
	if hasText {
		v.text(path+"/text", text, 3000, false)
	}
	if len(fields) > 10 {
		v.fail(path+"/fields", "no more than 10 items allowed")
	}
	for i, f := range fields {
		if m, ok := f.(map[string]any); ok {
			v.text(fmt.Sprintf("%s/fields/%d", path, i), m, 2000, false)
		}
	}
	if acc, ok := b["accessory"].(map[string]any); ok {
		v.element(path+"/accessory", acc)
	}
}

func (v *blockValidator) actions(path string, b map[string]any) {
	els, _ := b["elements"].([]any)
	v.itemCount(path+"/elements", len(els), 25)
	actionIDs := map[string]bool{}
	for i, e := range els {
		m, ok := e.(map[string]any)
		if !ok {
			v.fail(fmt.Sprintf("%s/elements/%d", path, i), "must be an object")
			continue
		}
		v.element(fmt.Sprintf("%s/elements/%d", path, i), m)
		if id, ok := m["action_id"].(string); ok {
			if actionIDs[id] {
				v.fail(fmt.Sprintf("%s/elements/%d/action_id", path, i), "action_id must be unique in the block")
			}
			actionIDs[id] = true
		}
	}
}

// itemCount checks the length of a block's elements: Slack refuses an
// empty list as well as a long one.
func (v *blockValidator) itemCount(path string, n, limit int) {
	if n == 0 {
		v.fail(path, "must provide at least 1 item")
	}
	if n > limit {
		v.fail(path, "no more than %d items allowed", limit)
	}
}

func (v *blockValidator) element(path string, e map[string]any) {
	if id, ok := e["action_id"].(string); ok {
		v.maxLen(path+"/action_id", id, 255)
	}
	if e["type"] != "button" {
		return
	}
	if text, ok := e["text"].(map[string]any); ok {
		v.text(path+"/text", text, 75, true)
	} else {
		v.fail(path, "missing required field: text")
	}
	if u, ok := e["url"].(string); ok {
		v.maxLen(path+"/url", u, 3000)
	}
	if val, ok := e["value"].(string); ok {
		v.maxLen(path+"/value", val, 2000)
	}
	if style, ok := e["style"].(string); ok && style != "primary" && style != "danger" {
		v.fail(path+"/style", "must be one of primary, danger")
	}
}

// text checks a text object: a known type, 1..max characters.
func (v *blockValidator) text(path string, t map[string]any, limit int, plainOnly bool) {
	switch t["type"] {
	case "plain_text":
	case "mrkdwn":
		if plainOnly {
			v.fail(path+"/type", "must be plain_text")
		}
	default:
		v.fail(path+"/type", "must be one of plain_text, mrkdwn")
	}
	s, _ := t["text"].(string)
	if s == "" {
		v.fail(path+"/text", "must be more than 0 characters")
	}
	v.maxLen(path+"/text", s, limit)
}

func (v *blockValidator) maxLen(path, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		v.fail(path, "must be less than %d characters", limit+1)
	}
}

// findButton locates the element with actionID in stored blocks.
func findButton(blocks json.RawMessage, actionID string) (blockID string, element map[string]any, ok bool) {
	var list []any
	if len(blocks) == 0 || decodeJSON(blocks, &list) != nil {
		return "", nil, false
	}
	for _, b := range list {
		block, _ := b.(map[string]any)
		for _, e := range elementsOf(block) {
			if e["action_id"] == actionID {
				id, _ := block["block_id"].(string)
				return id, e, true
			}
		}
	}
	return "", nil, false
}
