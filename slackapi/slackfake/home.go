package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
)

// homeTab is the App Home view published to one person.
type homeTab struct {
	view      View
	publishes int
}

// HomeTab is what a person sees on the app's Home tab.
type HomeTab struct {
	View
	// Publishes counts the views.publish calls Slack accepted for them.
	Publishes int
}

// Home returns the Home tab published to userID, if any.
func (s *Server) Home(userID string) (HomeTab, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.homes[userID]
	if h == nil {
		return HomeTab{}, false
	}
	return HomeTab{View: h.view, Publishes: h.publishes}, true
}

// SendAppHomeOpened has userID open the app's Home tab: the
// app_home_opened event, carrying the view published to them before, as
// Slack sends it.
func (s *Server) SendAppHomeOpened(ctx context.Context, userID string) (Delivery, error) {
	s.mu.Lock()
	if s.users[userID] == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q", userID)
	}
	event := map[string]any{"type": "app_home_opened", "user": userID, "channel": "D" + userID, "tab": "home"}
	if h := s.homes[userID]; h != nil {
		var v map[string]any
		if json.Unmarshal(h.view.JSON, &v) == nil {
			v["id"], v["hash"] = h.view.ID, h.view.Hash
			event["view"] = v
		}
	}
	s.mu.Unlock()
	return s.SendEvent(ctx, event)
}

// viewsPublish serves views.publish: a Home view (type home, at most 100
// valid blocks) for user_id; a hash that is not the current view's
// answers hash_conflict.
func (s *Server) viewsPublish(p params) (map[string]any, string) {
	user := p.get("user_id")
	if s.users[user] == nil {
		return nil, "user_not_found"
	}
	var view map[string]any
	if raw := p.raw("view"); len(raw) == 0 || decodeJSON(raw, &view) != nil || view == nil || view["type"] != "home" {
		return nil, "invalid_arguments"
	}
	blocksRaw, _ := json.Marshal(view["blocks"])
	res := checkBlocks(blocksRaw, maxModalBlocks)
	if res.code != "" {
		return res.errorBody(), "invalid_arguments"
	}
	view["blocks"] = res.blocks
	h := s.homes[user]
	if h == nil {
		h = &homeTab{view: View{ID: s.newID("V"), UserID: user}}
		s.homes[user] = h
	}
	if hash := p.get("hash"); hash != "" && hash != h.view.Hash {
		return nil, "hash_conflict"
	}
	h.publishes++
	out := s.storeView(&h.view, view)
	out["type"] = "home"
	return map[string]any{"view": out}, ""
}

// ClickHomeButton has userID press the button with actionID on their
// Home tab: the block_actions interaction Slack sends from a view (a
// view container, the view, a trigger_id; no channel, no response_url).
func (s *Server) ClickHomeButton(ctx context.Context, userID, actionID string) (Delivery, error) {
	s.mu.Lock()
	user, h := s.users[userID], s.homes[userID]
	if user == nil || h == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q or no Home published to them", userID)
	}
	var view map[string]any
	_ = json.Unmarshal(h.view.JSON, &view)
	blks, _ := json.Marshal(view["blocks"])
	blockID, button, ok := findButton(blks, actionID)
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: no element with action_id %q on %s's Home", actionID, userID)
	}
	view["id"], view["hash"], view["type"] = h.view.ID, h.view.Hash, "home"
	action := s.buttonAction(actionID, blockID, button)
	trigger := s.issueTrigger("", user.ID)
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": user.ID, "username": user.Name, "name": user.Name, "team_id": s.cfg.TeamID},
		"api_app_id":            appID,
		"token":                 verificationTok,
		"container":             map[string]any{"type": "view", "view_id": h.view.ID},
		"trigger_id":            trigger,
		"team":                  map[string]any{"id": s.cfg.TeamID, "domain": teamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"view":                  view,
		"actions":               []any{action},
	}
	return s.sendInteraction(ctx, payload, Delivery{TriggerID: trigger})
}
