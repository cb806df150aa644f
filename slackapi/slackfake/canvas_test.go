package slackfake

import (
	"testing"

	"github.com/slack-go/slack"
)

func TestChannelCanvas(t *testing.T) {
	s := mustStart(t, Config{Scopes: append(DefaultScopes(), "canvases:read")})
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-7-db"})
	if err != nil {
		t.Fatal(err)
	}
	doc := slack.DocumentContent{Type: "markdown", Markdown: "# INC-7\nfacts\n## Timeline\n- declared"}
	id, err := api.CreateChannelCanvasContext(ctx, ch.ID, doc)
	if err != nil || id == "" {
		t.Fatalf("create = %q, %v", id, err)
	}
	if _, err := api.CreateChannelCanvasContext(ctx, ch.ID, doc); slackCode(err) != "channel_canvas_already_exists" {
		t.Errorf("second create: %v, want channel_canvas_already_exists", err)
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch.ID})
	if err != nil || info.Properties == nil || info.Properties.Canvas.FileId != id {
		t.Errorf("conversations.info properties = %+v, %v; want canvas %s", info.Properties, err, id)
	}

	sections, err := api.LookupCanvasSectionsContext(ctx, slack.LookupCanvasSectionsParams{CanvasID: id,
		Criteria: slack.LookupCanvasSectionsCriteria{SectionTypes: []string{"h2"}, ContainsText: "Timeline"}})
	if err != nil || len(sections) != 1 {
		t.Fatalf("lookup = %v, %v; want the Timeline section", sections, err)
	}
	err = api.EditCanvasContext(ctx, slack.EditCanvasParams{CanvasID: id, Changes: []slack.CanvasChange{{
		Operation: "insert_after", SectionID: sections[0].ID,
		DocumentContent: slack.DocumentContent{Type: "markdown", Markdown: "## Summary\nfixed"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Canvas(ch.ID); got.Markdown != "# INC-7\nfacts\n## Timeline\n- declared\n## Summary\nfixed" || got.Edits != 1 {
		t.Errorf("canvas = %+v", got)
	}
	err = api.EditCanvasContext(ctx, slack.EditCanvasParams{CanvasID: id, Changes: []slack.CanvasChange{{
		Operation: "replace", DocumentContent: slack.DocumentContent{Type: "markdown", Markdown: "# all new"}}}})
	if got, _ := s.Canvas(ch.ID); err != nil || got.Markdown != "# all new" || got.Edits != 2 {
		t.Errorf("after replace: %+v, %v", got, err)
	}

	for _, tt := range []struct {
		name   string
		params slack.EditCanvasParams
		want   string
	}{
		{"unknown canvas", slack.EditCanvasParams{CanvasID: "F404", Changes: []slack.CanvasChange{{Operation: "replace",
			DocumentContent: doc}}}, "canvas_not_found"},
		{"no changes", slack.EditCanvasParams{CanvasID: id}, "invalid_arguments"},
		{"bad operation", slack.EditCanvasParams{CanvasID: id, Changes: []slack.CanvasChange{{Operation: "rewrite",
			DocumentContent: doc}}}, "invalid_arguments"},
		{"unknown section", slack.EditCanvasParams{CanvasID: id, Changes: []slack.CanvasChange{{Operation: "delete",
			SectionID: "temp:C:nope"}}}, "canvas_editing_failed"},
	} {
		if err := api.EditCanvasContext(ctx, tt.params); slackCode(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestWorkspaceWithoutCanvases(t *testing.T) {
	s := mustStart(t, Config{})
	s.SetCanvasesAllowed(false)
	ctx := testContext(t)
	api := apiClient(s)
	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-8-db"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CreateChannelCanvasContext(ctx, ch.ID, slack.DocumentContent{Type: "markdown", Markdown: "x"})
	if slackCode(err) != "team_tier_cannot_create_channel_canvases" {
		t.Errorf("create: %v, want team_tier_cannot_create_channel_canvases", err)
	}
	if _, ok := s.Canvas(ch.ID); ok {
		t.Error("a canvas was made")
	}

	noScope := mustStart(t, Config{Scopes: []string{"channels:manage"}})
	api = apiClient(noScope)
	ch, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-9-db"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CreateChannelCanvasContext(ctx, ch.ID, slack.DocumentContent{Type: "markdown", Markdown: "x"})
	if slackCode(err) != "missing_scope" {
		t.Errorf("create without canvases:write: %v, want missing_scope", err)
	}
}
