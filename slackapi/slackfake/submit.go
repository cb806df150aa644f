package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
)

// SubmitView sends a view_submission interaction for an open view, as if
// the user pressed its submit button with values filled in. values is the
// view's state: block_id → action_id → element state, e.g.
// {"title": {"title": {"type": "plain_text_input", "value": "DB down"}}}.
func (s *Server) SubmitView(ctx context.Context, userID, viewID string, values map[string]map[string]any) (Delivery, error) {
	s.mu.Lock()
	user, v := s.users[userID], s.views[viewID]
	if user == nil || v == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q or view %q", userID, viewID)
	}
	var view map[string]any
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: stored view: %w", err)
	}
	view["id"] = v.ID
	view["team_id"] = s.cfg.TeamID
	view["app_id"] = appID
	view["bot_id"] = botID
	view["hash"] = v.Hash
	view["state"] = map[string]any{"values": values}
	// What Slack adds to every view it sends back, whatever the app set.
	view["root_view_id"] = v.ID
	view["previous_view_id"] = nil
	view["app_installed_team_id"] = s.cfg.TeamID
	addViewDefaults(view)
	trigger := s.issueTrigger("", user.ID)
	payload := map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": s.cfg.TeamID, "domain": teamDomain},
		"user":       map[string]any{"id": user.ID, "username": user.Name, "name": user.Name, "team_id": s.cfg.TeamID},
		"api_app_id": appID,
		"token":      verificationTok,
		"trigger_id": trigger,
		"view":       view,
		// Slack sends these with every view_submission.
		"response_urls":         []any{},
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
	env, err := s.newEnvelope("", "interactive", payload, true)
	s.mu.Unlock()
	if err != nil {
		return Delivery{}, err
	}
	if err := s.sendNew(ctx, env); err != nil {
		return Delivery{}, err
	}
	return Delivery{EnvelopeID: env.ID, TriggerID: trigger}, nil
}

// ClickEphemeralButton presses a button in the newest ephemeral message
// the user was shown in channelID (chat.postEphemeral) holding actionID.
func (s *Server) ClickEphemeralButton(ctx context.Context, userID, channelID, actionID string) (Delivery, error) {
	s.mu.Lock()
	user := s.users[userID]
	var eph *Ephemeral
	for i := len(s.ephemerals) - 1; i >= 0; i-- {
		e := &s.ephemerals[i]
		if e.User == userID && e.Channel == channelID {
			if _, _, ok := findButton(e.Blocks, actionID); ok {
				eph = e
				break
			}
		}
	}
	if user == nil || eph == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: user %q was shown no ephemeral button %q in %s", userID, actionID, channelID)
	}
	name := ""
	if ch := s.channels[channelID]; ch != nil {
		name = ch.Name
	}
	container := map[string]any{"type": "message", "channel_id": channelID, "is_ephemeral": true}
	return s.sendBlockAction(ctx, user, channelID, name, eph.Blocks, actionID, container, nil, "")
}
