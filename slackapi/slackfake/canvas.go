package slackfake

import (
	"encoding/json"
	"slices"
	"strings"
)

// Channel canvases: conversations.canvases.create makes a channel's one
// canvas, canvases.edit changes it, canvases.sections.lookup finds its
// sections. A canvas is kept as its sections, each a heading and what
// follows it up to the next heading, as Slack splits a markdown document.

// CanvasDoc is a channel canvas as people see it.
type CanvasDoc struct {
	ID, ChannelID string
	Markdown      string // the whole document, sections joined
	Edits         int    // canvases.edit calls that changed it
}

type canvasSection struct {
	id, markdown string
}

type canvas struct {
	id, channelID string
	sections      []canvasSection
	edits         int
}

func (c *canvas) markdown() string {
	parts := make([]string, len(c.sections))
	for i, sec := range c.sections {
		parts[i] = sec.markdown
	}
	return strings.Join(parts, "\n")
}

// SetCanvasesAllowed makes the workspace one whose plan has channel
// canvases (the default) or one without them, which answers
// team_tier_cannot_create_channel_canvases.
func (s *Server) SetCanvasesAllowed(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noCanvases = !ok
}

// Canvas returns the canvas of channelID, if it has one.
func (s *Server) Canvas(channelID string) (CanvasDoc, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch == nil || ch.canvasID == "" {
		return CanvasDoc{}, false
	}
	c := s.canvases[ch.canvasID]
	return CanvasDoc{ID: c.id, ChannelID: c.channelID, Markdown: c.markdown(), Edits: c.edits}, true
}

// splitSections cuts markdown into sections at each heading line.
func (s *Server) splitSections(md string) []canvasSection {
	var out []canvasSection
	var cur []string
	flush := func() {
		if cur != nil {
			out = append(out, canvasSection{id: s.newID("temp:C:"), markdown: strings.Join(cur, "\n")})
			cur = nil
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "#") {
			flush()
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

type documentContent struct {
	Type     string `json:"type"`
	Markdown string `json:"markdown"`
}

// readContent decodes a document_content; ok is false unless it is
// markdown, the only type Slack takes.
func readContent(raw json.RawMessage) (documentContent, bool) {
	var dc documentContent
	if len(raw) == 0 || json.Unmarshal(raw, &dc) != nil || dc.Type != "markdown" {
		return dc, false
	}
	return dc, true
}

func (s *Server) conversationsCanvasesCreate(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel_id"))
	if code != "" {
		return nil, code
	}
	if s.noCanvases {
		return nil, "team_tier_cannot_create_channel_canvases"
	}
	if ch.canvasID != "" {
		return nil, "channel_canvas_already_exists"
	}
	var sections []canvasSection
	if p.has("document_content") {
		dc, ok := readContent(p.raw("document_content"))
		if !ok {
			return nil, "invalid_arguments"
		}
		sections = s.splitSections(dc.Markdown)
	}
	if s.canvases == nil {
		s.canvases = map[string]*canvas{}
	}
	c := &canvas{id: s.newID("F"), channelID: ch.ID, sections: sections}
	s.canvases[c.id] = c
	ch.canvasID = c.id
	return map[string]any{"canvas_id": c.id}, ""
}

type canvasChange struct {
	Operation       string          `json:"operation"`
	SectionID       string          `json:"section_id"`
	DocumentContent json.RawMessage `json:"document_content"`
}

func (s *Server) canvasesEdit(p params) (map[string]any, string) {
	c := s.canvases[p.get("canvas_id")]
	if c == nil {
		return nil, "canvas_not_found"
	}
	var changes []canvasChange
	if err := json.Unmarshal(p.raw("changes"), &changes); err != nil || len(changes) == 0 {
		return nil, "invalid_arguments"
	}
	sections := slices.Clone(c.sections)
	for _, ch := range changes {
		var code string
		if sections, code = s.applyChange(sections, ch); code != "" {
			return nil, code // nothing of the call is applied
		}
	}
	c.sections = sections
	c.edits++
	return map[string]any{}, ""
}

// applyChange applies one change of a canvases.edit to sections.
func (s *Server) applyChange(sections []canvasSection, ch canvasChange) ([]canvasSection, string) {
	var add []canvasSection
	if ch.Operation != "delete" {
		dc, ok := readContent(ch.DocumentContent)
		if !ok {
			return nil, "invalid_arguments"
		}
		add = s.splitSections(dc.Markdown)
	}
	at := -1
	if ch.SectionID != "" {
		at = slices.IndexFunc(sections, func(sec canvasSection) bool { return sec.id == ch.SectionID })
		if at < 0 {
			return nil, "canvas_editing_failed"
		}
	}
	switch ch.Operation {
	case "replace":
		if at < 0 {
			return add, "" // no section: the whole document
		}
		return slices.Concat(sections[:at], add, sections[at+1:]), ""
	case "delete":
		if at < 0 {
			return nil, "invalid_arguments"
		}
		return slices.Delete(sections, at, at+1), ""
	case "insert_after", "insert_before":
		if at < 0 {
			return nil, "invalid_arguments"
		}
		if ch.Operation == "insert_after" {
			at++
		}
		return slices.Insert(sections, at, add...), ""
	case "insert_at_start":
		return slices.Concat(add, sections), ""
	case "insert_at_end":
		return slices.Concat(sections, add), ""
	}
	return nil, "invalid_arguments"
}

func (s *Server) canvasesSectionsLookup(p params) (map[string]any, string) {
	c := s.canvases[p.get("canvas_id")]
	if c == nil {
		return nil, "canvas_not_found"
	}
	var crit struct {
		SectionTypes []string `json:"section_types"`
		ContainsText string   `json:"contains_text"`
	}
	if err := json.Unmarshal(p.raw("criteria"), &crit); err != nil || (crit.ContainsText == "" && len(crit.SectionTypes) == 0) {
		return nil, "invalid_arguments"
	}
	found := []map[string]any{}
	for _, sec := range c.sections {
		if crit.ContainsText != "" && !strings.Contains(sec.markdown, crit.ContainsText) {
			continue
		}
		if len(crit.SectionTypes) > 0 && !slices.ContainsFunc(crit.SectionTypes, func(t string) bool { return headerOf(sec.markdown, t) }) {
			continue
		}
		found = append(found, map[string]any{"id": sec.id})
	}
	return map[string]any{"sections": found}, ""
}

// headerOf reports whether a section starts with a heading of type t
// ("h1", "h2", "h3" or "any_header").
func headerOf(md, t string) bool {
	level := len(md) - len(strings.TrimLeft(md, "#"))
	if level == 0 || level > 3 || !strings.HasPrefix(md[level:], " ") {
		return false
	}
	return t == "any_header" || t == "h"+string(rune('0'+level))
}
