package main

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
)

// renderBlocks turns Block Kit JSON into the lines a person would read in
// Slack, buttons shown as [Label → url]. The demo prints it; tests read it.
func renderBlocks(raw json.RawMessage) []string {
	var blks []map[string]any
	if err := json.Unmarshal(raw, &blks); err != nil {
		return nil
	}
	var lines []string
	for _, b := range blks {
		switch b["type"] {
		case "header":
			lines = append(lines, "▌"+textOf(b["text"]))
		case "section":
			if t := textOf(b["text"]); t != "" {
				lines = append(lines, t)
			}
			if fields, ok := b["fields"].([]any); ok {
				var parts []string
				for _, f := range fields {
					parts = append(parts, strings.ReplaceAll(textOf(f), "\n", " "))
				}
				lines = append(lines, strings.Join(parts, "  ·  "))
			}
			if acc, ok := b["accessory"].(map[string]any); ok && acc["type"] == "button" {
				lines = append(lines, button(acc))
			}
		case "context":
			var parts []string
			for _, e := range asSlice(b["elements"]) {
				parts = append(parts, textOf(e))
			}
			lines = append(lines, strings.Join(parts, " "))
		case "actions":
			var parts []string
			for _, e := range asSlice(b["elements"]) {
				if m, ok := e.(map[string]any); ok && m["type"] == "button" {
					parts = append(parts, button(m))
				}
			}
			lines = append(lines, strings.Join(parts, "  "))
		case "divider":
			lines = append(lines, "────────")
		case "call":
			lines = append(lines, fmt.Sprintf("📞 Slack's own Call %v: Slack draws it with who is in it and its Join button", b["call_id"]))
		}
	}
	return lines
}

func button(m map[string]any) string {
	label := textOf(m["text"])
	if u, ok := m["url"].(string); ok && u != "" {
		return fmt.Sprintf("[%s → %s]", label, u)
	}
	return "[" + label + "]"
}

func textOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m["text"].(string)
	// Slack shows &lt; as <: unescape for reading only.
	return html.UnescapeString(s)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// buttonURL finds the URL of the button with actionID in a message.
func buttonURL(raw json.RawMessage, actionID string) string {
	var blks []map[string]any
	if json.Unmarshal(raw, &blks) != nil {
		return ""
	}
	for _, b := range blks {
		elems := asSlice(b["elements"])
		if acc, ok := b["accessory"].(map[string]any); ok {
			elems = append(elems, acc)
		}
		for _, e := range elems {
			if m, ok := e.(map[string]any); ok && m["action_id"] == actionID {
				u, _ := m["url"].(string)
				return u
			}
		}
	}
	return ""
}

// buttonStyle returns the style ("primary") of the button with actionID.
func buttonStyle(raw json.RawMessage, actionID string) string {
	var blks []map[string]any
	if json.Unmarshal(raw, &blks) != nil {
		return ""
	}
	for _, b := range blks {
		for _, e := range asSlice(b["elements"]) {
			if m, ok := e.(map[string]any); ok && m["action_id"] == actionID {
				s, _ := m["style"].(string)
				return s
			}
		}
	}
	return ""
}
