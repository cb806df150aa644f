package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// Injecting traffic: what users do, arriving at the bot over Socket Mode.

// SlashCommand is a user running a command. Empty fields get defaults:
// UserID the first workspace user, ChannelID #general, Command "/incident",
// TriggerID and EnvelopeID generated.
type SlashCommand struct {
	UserID, ChannelID, Command, Text, TriggerID, EnvelopeID string
}

// SendSlashCommand delivers a slash_commands envelope, with the payload
// Slack sends, and returns once it is written to a socket. The ack payload
// becomes the user's ephemeral reply (Via "ack").
func (s *Server) SendSlashCommand(ctx context.Context, cmd SlashCommand) (Delivery, error) {
	s.mu.Lock()
	if cmd.UserID == "" {
		cmd.UserID = s.firstHuman()
	}
	if cmd.ChannelID == "" {
		cmd.ChannelID = generalID
	}
	if cmd.Command == "" {
		cmd.Command = "/incident"
	}
	user := s.users[cmd.UserID]
	if user == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q", cmd.UserID)
	}
	trigger := s.issueTrigger(cmd.TriggerID, user.ID)
	respURL := s.issueResponseURL(user.ID, cmd.ChannelID, "")
	payload := map[string]any{
		"token":        verificationTok,
		"team_id":      s.cfg.TeamID,
		"team_domain":  teamDomain,
		"channel_id":   cmd.ChannelID,
		"channel_name": s.channelNameFor(cmd.ChannelID),
		"user_id":      user.ID,
		"user_name":    user.Name,
		"command":      cmd.Command,
		"text":         cmd.Text,
		"api_app_id":   appID,
		// Socket Mode sends this flag as a string.
		"is_enterprise_install": "false",
		"response_url":          respURL,
		"trigger_id":            trigger,
	}
	env, err := s.newEnvelope(cmd.EnvelopeID, "slash_commands", payload, true)
	if err == nil {
		env.user, env.channel = user.ID, cmd.ChannelID
	}
	s.mu.Unlock()
	if err != nil {
		return Delivery{}, err
	}
	if err := s.sendNew(ctx, env); err != nil {
		return Delivery{}, err
	}
	return Delivery{EnvelopeID: env.ID, TriggerID: trigger, ResponseURL: respURL}, nil
}

// SendEvent delivers an Events API event (e.g. {"type":"member_joined_channel",
// …}) wrapped as Slack does: an event_callback with event_id and event_time
// inside an events_api envelope. An unacknowledged event is redelivered after
// Config.AckTimeout, at most 3 times.
func (s *Server) SendEvent(ctx context.Context, event map[string]any) (Delivery, error) {
	if typ, _ := event["type"].(string); typ == "" {
		return Delivery{}, errors.New("slackfake: event needs a type")
	}
	s.mu.Lock()
	env, eventID, err := s.eventEnvelope(event)
	s.mu.Unlock()
	if err != nil {
		return Delivery{}, err
	}
	if err := s.sendNew(ctx, env); err != nil {
		return Delivery{}, err
	}
	return Delivery{EnvelopeID: env.ID, EventID: eventID}, nil
}

// eventEnvelope wraps a copy of event in the event_callback Slack sends.
// s.mu is held.
func (s *Server) eventEnvelope(event map[string]any) (*envelope, string, error) {
	event = maps.Clone(event)
	if _, ok := event["event_ts"]; !ok {
		event["event_ts"] = s.eventTS()
	}
	eventID := "Ev" + strings.TrimPrefix(s.newID("E"), "E")
	payload := map[string]any{
		"token":      verificationTok,
		"team_id":    s.cfg.TeamID,
		"api_app_id": appID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   eventID,
		"event_time": s.cfg.Now().Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": s.cfg.TeamID, "user_id": s.cfg.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + randomHex(12),
	}
	env, err := s.newEnvelope("", "events_api", payload, false)
	return env, eventID, err
}

// ClickButton has userID click the button with actionID in a stored
// message, delivering the block_actions interaction Slack sends: the
// button's value (and url), trigger_id, response_url, container and message.
func (s *Server) ClickButton(ctx context.Context, userID, channelID, messageTS, actionID string) (Delivery, error) {
	s.mu.Lock()
	user, ch := s.users[userID], s.channels[channelID]
	var m *message
	if ch != nil {
		m = ch.message(messageTS)
	}
	switch {
	case user == nil:
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: unknown user %q", userID)
	case m == nil:
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: no message %s in channel %s", messageTS, channelID)
	}
	if _, _, ok := findButton(m.Blocks, actionID); !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("slackfake: no element with action_id %q in message %s", actionID, messageTS)
	}
	container := map[string]any{"type": "message", "message_ts": m.TS, "channel_id": ch.ID, "is_ephemeral": false}
	return s.sendBlockAction(ctx, user, ch.ID, ch.Name, m.Blocks, actionID, container, s.messageJSON(ch, m), m.TS)
}

// sendBlockAction sends the block_actions interaction of pressing the
// button actionID in blks, as Slack builds it. s.mu is held on entry and
// released before sending.
func (s *Server) sendBlockAction(ctx context.Context, user *User, channelID, channelName string, blks json.RawMessage,
	actionID string, container, message map[string]any, messageTS string) (Delivery, error) {
	blockID, button, _ := findButton(blks, actionID)
	action := s.buttonAction(actionID, blockID, button)
	trigger := s.issueTrigger("", user.ID)
	respURL := s.issueResponseURL(user.ID, channelID, messageTS)
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  map[string]any{"id": user.ID, "username": user.Name, "name": user.Name, "team_id": s.cfg.TeamID},
		"api_app_id":            appID,
		"token":                 verificationTok,
		"container":             container,
		"trigger_id":            trigger,
		"team":                  map[string]any{"id": s.cfg.TeamID, "domain": teamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": channelID, "name": channelName},
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          respURL,
		"actions":               []any{action},
	}
	if message != nil {
		payload["message"] = message
	}
	return s.sendInteraction(ctx, payload, Delivery{TriggerID: trigger, ResponseURL: respURL})
}

// Redeliver sends an envelope of any type again — same envelope_id and
// payload, retry_attempt+1, retry_reason "timeout" — to test idempotency.
// A later WaitAck waits for the ack of this delivery.
func (s *Server) Redeliver(ctx context.Context, envelopeID string) error {
	return s.redeliver(ctx, envelopeID, false)
}

// RedeliverElsewhere delivers an envelope again, as Redeliver does, to a
// connection other than the one that has it — as Slack's retry may — and
// fails when no other connection is ready.
func (s *Server) RedeliverElsewhere(ctx context.Context, envelopeID string) error {
	return s.redeliver(ctx, envelopeID, true)
}

func (s *Server) redeliver(ctx context.Context, envelopeID string, elsewhere bool) error {
	s.mu.Lock()
	env := s.envelopes[envelopeID]
	if env == nil {
		s.mu.Unlock()
		return fmt.Errorf("slackfake: unknown envelope %q", envelopeID)
	}
	var avoid *conn
	if elsewhere {
		avoid = env.conn
		other := false
		for _, c := range s.ready {
			other = other || c != avoid
		}
		if !other {
			s.mu.Unlock()
			return fmt.Errorf("slackfake: no connection but the one that has envelope %q is ready", envelopeID)
		}
	}
	env.RetryAttempt++
	env.RetryReason = "timeout"
	if env.acked {
		env.acked, env.ackCh = false, make(chan struct{})
	}
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	env.sentAt = time.Now()
	s.mu.Unlock()
	return s.sendAvoiding(ctx, env, avoid)
}

// ReadyConnections counts the sockets that got their hello.
func (s *Server) ReadyConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ready)
}

// WaitAck waits for the client's ack of an envelope's latest delivery.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	s.mu.Lock()
	env := s.envelopes[envelopeID]
	if env == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slackfake: unknown envelope %q", envelopeID)
	}
	ch := env.ackCh
	s.mu.Unlock()
	select {
	case <-ch:
		s.mu.Lock()
		defer s.mu.Unlock()
		return env.ack, nil
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("slackfake: waiting for ack of %s: %w", envelopeID, ctx.Err())
	}
}

// firstHuman is the default actor. s.mu is held.
func (s *Server) firstHuman() string {
	for _, id := range s.userOrder {
		if !s.users[id].IsBot {
			return id
		}
	}
	return ""
}

// channelNameFor is the channel_name a slash command carries; Slack says
// "privategroup" or "directmessage" for conversations it won't name.
func (s *Server) channelNameFor(id string) string {
	if ch := s.channels[id]; ch != nil && (!ch.IsPrivate || ch.isMember(s.cfg.BotUserID)) {
		return ch.Name
	}
	if strings.HasPrefix(id, "D") {
		return "directmessage"
	}
	return "privategroup"
}

// buttonAction is the actions[] entry of pressing a button, as Slack
// sends it. s.mu is held.
func (s *Server) buttonAction(actionID, blockID string, button map[string]any) map[string]any {
	action := map[string]any{"action_id": actionID, "block_id": blockID, "type": button["type"], "action_ts": s.eventTS()}
	for _, k := range []string{"text", "value", "url", "style"} {
		if v, ok := button[k]; ok {
			action[k] = v
		}
	}
	return action
}
