package slackfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// auth.test, apps.connections.open, users.info, users.lookupByEmail and
// views.*. Handlers run
// with s.mu held.

func (s *Server) authTest(params) (map[string]any, string) {
	bot := s.users[s.cfg.BotUserID]
	return map[string]any{
		"url": "https://" + teamDomain + ".slack.com/", "team": teamName, "user": bot.Name,
		"team_id": s.cfg.TeamID, "user_id": bot.ID, "bot_id": botID, "is_enterprise_install": false,
	}, ""
}

// appsConnectionsOpen hands out a single-use WebSocket URL, as Slack does.
func (s *Server) appsConnectionsOpen(params) (map[string]any, string) {
	ticket := randomHex(16)
	s.tickets[ticket] = true
	wsURL := "ws" + strings.TrimPrefix(s.baseURL, "http") + "/socket?ticket=" + ticket + "&app_id=" + appID
	return map[string]any{"url": wsURL}, ""
}

func (s *Server) usersInfo(p params) (map[string]any, string) {
	u := s.users[p.get("user")]
	if u == nil {
		return nil, "user_not_found"
	}
	return map[string]any{"user": s.userJSON(u)}, ""
}

// usersLookupByEmail finds a member by email, ignoring case as Slack
// does; bots have no email and are never found.
func (s *Server) usersLookupByEmail(p params) (map[string]any, string) {
	email := strings.TrimSpace(p.get("email"))
	if email == "" {
		return nil, "invalid_arguments"
	}
	for _, u := range s.users {
		if !u.IsBot && u.Email != "" && strings.EqualFold(u.Email, email) {
			return map[string]any{"user": s.userJSON(u)}, ""
		}
	}
	return nil, "users_not_found"
}

func (s *Server) userJSON(u *User) map[string]any {
	label, offset := u.TZ, 0
	if loc, err := time.LoadLocation(u.TZ); err == nil {
		label, offset = s.cfg.Now().In(loc).Zone()
	}
	profile := map[string]any{
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"email": u.Email, "team": s.cfg.TeamID, "avatar_hash": "fake",
		"image_48": "https://a.slack-edge.com/fake-48.png", "image_72": "https://a.slack-edge.com/fake-72.png",
	}
	if u.IsBot {
		profile["bot_id"] = botID
		profile["api_app_id"] = appID
		delete(profile, "email") // bots have none
	}
	if !s.granted("users:read.email") {
		delete(profile, "email") // Slack leaves it out without the scope
	}
	return map[string]any{
		"id": u.ID, "team_id": s.cfg.TeamID, "name": u.Name, "real_name": u.RealName, "deleted": false,
		"color": "9f69e7", "tz": u.TZ, "tz_label": label, "tz_offset": offset,
		"is_admin": u.IsAdmin, "is_owner": u.IsOwner, "is_primary_owner": false,
		"is_restricted": false, "is_ultra_restricted": false, "is_bot": u.IsBot, "is_app_user": false,
		"is_email_confirmed": !u.IsBot, "updated": s.cfg.Now().Unix(), "profile": profile,
	}
}

// trigger is a trigger_id handed to the app with a user action.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// triggerTTL is how long a trigger_id may open a view.
const triggerTTL = 3 * time.Second

// issueTrigger makes a trigger_id for a user action, in Slack's
// "digits.digits.hex" shape.
func (s *Server) issueTrigger(id, user string) string {
	if id == "" {
		s.seq["trigger"]++
		id = fmt.Sprintf("%d.%d.%s", 1000000000+s.seq["trigger"], s.cfg.Now().Unix(), randomHex(16))
	}
	s.triggers[id] = &trigger{user: user, issued: s.cfg.Now()}
	return id
}

func (s *Server) viewsOpen(p params) (map[string]any, string) {
	id := p.get("trigger_id")
	t := s.triggers[id]
	switch {
	case t == nil:
		return nil, "invalid_trigger_id"
	case t.used:
		return nil, "exchanged_trigger_id"
	case s.cfg.Now().Sub(t.issued) > triggerTTL:
		return nil, "expired_trigger_id"
	}
	view, body, code := s.checkView(p.raw("view"), "")
	if code != "" {
		return body, code
	}
	t.used = true
	v := &View{ID: s.newID("V"), UserID: t.user, TriggerID: id}
	s.views[v.ID] = v
	s.viewOrder = append(s.viewOrder, v.ID)
	return map[string]any{"view": s.storeView(v, view)}, ""
}

func (s *Server) viewsUpdate(p params) (map[string]any, string) {
	var v *View
	id, external := p.get("view_id"), p.get("external_id")
	switch {
	case id != "":
		v = s.views[id]
	case external != "":
		for _, cand := range s.views {
			if cand.ExternalID == external {
				v = cand
			}
		}
	default:
		return nil, "invalid_arguments"
	}
	if v == nil {
		return nil, "not_found"
	}
	if hash := p.get("hash"); hash != "" && hash != v.Hash {
		return nil, "hash_conflict"
	}
	view, body, code := s.checkView(p.raw("view"), v.ID)
	if code != "" {
		return body, code
	}
	return map[string]any{"view": s.storeView(v, view)}, ""
}

// checkView validates a modal: type, a title, at most 100 valid blocks and
// an external_id no other view has.
func (s *Server) checkView(raw json.RawMessage, selfID string) (map[string]any, map[string]any, string) {
	var view map[string]any
	if len(raw) == 0 || decodeJSON(raw, &view) != nil || view == nil {
		return nil, nil, "invalid_arguments"
	}
	if view["type"] != "modal" {
		return nil, nil, "invalid_arguments"
	}
	if _, ok := view["title"].(map[string]any); !ok {
		return nil, nil, "invalid_arguments"
	}
	blocksRaw, _ := json.Marshal(view["blocks"])
	res := checkBlocks(blocksRaw, maxModalBlocks)
	if res.code != "" {
		return nil, res.errorBody(), "invalid_arguments"
	}
	view["blocks"] = res.blocks
	if res.blocks == nil {
		view["blocks"] = []any{}
	}
	if ext, _ := view["external_id"].(string); ext != "" {
		for _, other := range s.views {
			if other.ExternalID == ext && other.ID != selfID {
				return nil, nil, "duplicate_external_id"
			}
		}
	}
	return view, nil, ""
}

// storeView records the app's view and renders it as views.* return it.
func (s *Server) storeView(v *View, view map[string]any) map[string]any {
	v.ExternalID, _ = view["external_id"].(string)
	v.CallbackID, _ = view["callback_id"].(string)
	v.Hash = fmt.Sprintf("%d.%s", s.cfg.Now().Unix(), randomHex(4))
	v.JSON, _ = json.Marshal(view)

	out := map[string]any{}
	for k, val := range view {
		out[k] = val
	}
	for k, val := range map[string]any{
		"id": v.ID, "team_id": s.cfg.TeamID, "state": map[string]any{"values": map[string]any{}},
		"hash": v.Hash, "root_view_id": v.ID, "previous_view_id": nil, "app_id": appID,
		"bot_id": botID, "app_installed_team_id": s.cfg.TeamID,
	} {
		out[k] = val
	}
	addViewDefaults(out)
	return out
}

// addViewDefaults fills in the fields of Slack's view object that the app
// left out: Slack's answers and payloads carry every one, whether the app
// set it or not.
func addViewDefaults(view map[string]any) {
	for k, zero := range map[string]any{
		"private_metadata": "", "callback_id": "", "external_id": "",
		"close": nil, "submit": nil, // the buttons' text objects, null without them
		"clear_on_close": false, "notify_on_close": false,
	} {
		if _, ok := view[k]; !ok {
			view[k] = zero
		}
	}
}

// randomHex is n random bytes in hex: tickets, trigger and response URL IDs.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// randomShortID imitates the 4-5 character block_ids and action_ids Slack
// generates.
func randomShortID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newUUID is an envelope ID in Slack's UUID form.
func newUUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
