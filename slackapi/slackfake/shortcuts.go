package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// SendMessageShortcut has userID run the message shortcut callbackID on
// a stored message, delivering the message_action interaction Slack
// sends: the message, its channel, a trigger_id for views.open and a
// response_url.
func (s *Server) SendMessageShortcut(ctx context.Context, userID, channelID, messageTS, callbackID string) (Delivery, error) {
	s.mu.Lock()
	user, ch := s.users[userID], s.channels[channelID]
	var m *message
	if ch != nil {
		m = ch.message(messageTS)
	}
	if user == nil || m == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q or no message %s in %s", userID, messageTS, channelID)
	}
	trigger := s.issueTrigger("", user.ID)
	respURL := s.issueResponseURL(user.ID, ch.ID, "")
	msg := map[string]any{"type": "message", "user": m.User, "ts": m.TS, "text": m.Text, "team": s.cfg.TeamID}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	payload := map[string]any{
		"type":                  "message_action",
		"token":                 verificationTok,
		"action_ts":             s.eventTS(),
		"team":                  map[string]any{"id": s.cfg.TeamID, "domain": teamDomain},
		"user":                  map[string]any{"id": user.ID, "username": user.Name, "name": user.Name, "team_id": s.cfg.TeamID},
		"channel":               map[string]any{"id": ch.ID, "name": ch.Name},
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            trigger,
		"response_url":          respURL,
		"message_ts":            m.TS,
		"message":               msg,
	}
	return s.sendInteraction(ctx, payload, Delivery{TriggerID: trigger, ResponseURL: respURL})
}

// SendGlobalShortcut has userID run the global shortcut callbackID (from
// the shortcuts menu or the search bar): no channel, no message.
func (s *Server) SendGlobalShortcut(ctx context.Context, userID, callbackID string) (Delivery, error) {
	s.mu.Lock()
	user := s.users[userID]
	if user == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q", userID)
	}
	trigger := s.issueTrigger("", user.ID)
	payload := map[string]any{
		"type":                  "shortcut",
		"token":                 verificationTok,
		"action_ts":             s.eventTS(),
		"team":                  map[string]any{"id": s.cfg.TeamID, "domain": teamDomain},
		"user":                  map[string]any{"id": user.ID, "username": user.Name, "team_id": s.cfg.TeamID},
		"is_enterprise_install": false,
		"enterprise":            nil,
		"callback_id":           callbackID,
		"trigger_id":            trigger,
	}
	return s.sendInteraction(ctx, payload, Delivery{TriggerID: trigger})
}

// sendInteraction sends an interactive envelope. s.mu is held on entry
// and released before sending.
func (s *Server) sendInteraction(ctx context.Context, payload map[string]any, d Delivery) (Delivery, error) {
	env, err := s.newEnvelope("", "interactive", payload, false)
	s.mu.Unlock()
	if err != nil {
		return Delivery{}, err
	}
	if err := s.sendNew(ctx, env); err != nil {
		return Delivery{}, err
	}
	d.EnvelopeID = env.ID
	return d, nil
}

// FunctionExecution is one run of a Workflow Builder step the app
// provides, and how the app ended it.
type FunctionExecution struct {
	ID, CallbackID string
	Inputs         map[string]any
	// Outcome is "" while it runs, then "success" or "error"; Outputs
	// and Error are what the app sent. Completions counts every
	// complete call that Slack accepted (one, for a well-behaved app).
	Outcome     string
	Outputs     map[string]string
	Error       string
	Completions int
}

// SendFunctionExecuted runs the app's function callbackID with inputs, as
// a workflow step: a function_executed event. The execution's ID is in
// the returned execution; Function reads how it ended.
func (s *Server) SendFunctionExecuted(ctx context.Context, callbackID string, inputs map[string]any) (Delivery, string, error) {
	s.mu.Lock()
	id := "Fx" + randomHex(5)
	s.functions[id] = &FunctionExecution{ID: id, CallbackID: callbackID, Inputs: inputs}
	event := map[string]any{
		"type": "function_executed",
		"function": map[string]any{
			"id": "Fn" + randomHex(5), "callback_id": callbackID, "title": callbackID, "type": "app",
			"app_id": appID, "date_created": s.cfg.Now().Unix(), "date_updated": s.cfg.Now().Unix(), "date_deleted": 0,
		},
		"inputs":                inputs,
		"function_execution_id": id,
		"workflow_execution_id": "Wx" + randomHex(5),
		"bot_access_token":      "xwfp-" + randomHex(12),
	}
	env, eventID, err := s.eventEnvelope(event)
	s.mu.Unlock()
	if err != nil {
		return Delivery{}, "", err
	}
	if err := s.sendNew(ctx, env); err != nil {
		return Delivery{}, "", err
	}
	return Delivery{EnvelopeID: env.ID, EventID: eventID}, id, nil
}

// Function returns a function execution as the app has left it.
func (s *Server) Function(id string) (FunctionExecution, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.functions[id]
	if !ok {
		return FunctionExecution{}, false
	}
	return *f, true
}

// functionsCompleteSuccess serves functions.completeSuccess: an execution
// already completed is no longer found, as Slack answers.
func (s *Server) functionsCompleteSuccess(p params) (map[string]any, string) {
	f, code := s.runningFunction(p.get("function_execution_id"))
	if code != "" {
		return nil, code
	}
	var outputs map[string]string
	if raw := p.raw("outputs"); len(raw) > 0 && json.Unmarshal(raw, &outputs) != nil {
		return nil, "parameter_validation_failed"
	}
	f.Outcome, f.Outputs = "success", outputs
	f.Completions++
	return map[string]any{}, ""
}

// functionsCompleteError serves functions.completeError.
func (s *Server) functionsCompleteError(p params) (map[string]any, string) {
	f, code := s.runningFunction(p.get("function_execution_id"))
	if code != "" {
		return nil, code
	}
	if p.get("error") == "" {
		return nil, "invalid_arguments"
	}
	f.Outcome, f.Error = "error", p.get("error")
	f.Completions++
	return map[string]any{}, ""
}

func (s *Server) runningFunction(id string) (*FunctionExecution, string) {
	f := s.functions[id]
	if f == nil || f.Outcome != "" {
		return nil, "function_execution_not_found"
	}
	return f, ""
}

// conversationsReplies serves conversations.replies: a thread's parent
// and its replies, oldest first.
func (s *Server) conversationsReplies(p params) (map[string]any, string) {
	ch, code := s.memberChannel(p.get("channel"))
	if code != "" {
		return nil, code
	}
	ts := p.get("ts")
	parent := ch.message(ts)
	if parent == nil {
		return nil, "thread_not_found"
	}
	msgs := []map[string]any{s.messageJSON(ch, parent)}
	for _, m := range ch.messages {
		if m.ThreadTS == ts && m.TS != ts {
			msgs = append(msgs, s.messageJSON(ch, m))
		}
	}
	return map[string]any{"messages": slices.Clip(msgs), "has_more": false,
		"response_metadata": map[string]any{"next_cursor": ""}}, ""
}
