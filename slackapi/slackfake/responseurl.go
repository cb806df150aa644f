package slackfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// response_url: each slash command and interaction gets one, valid for 5
// posts within 30 minutes.
const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

type responseURL struct {
	user, channel string
	messageTS     string // the message whose button was clicked; "" for slash commands
	issued        time.Time
	uses          int
}

// issueResponseURL registers a response_url. s.mu is held.
func (s *Server) issueResponseURL(user, channel, messageTS string) string {
	id := randomHex(16)
	s.responseURLs[id] = &responseURL{user: user, channel: channel, messageTS: messageTS, issued: s.cfg.Now()}
	return s.baseURL + "/response/" + id
}

// responsePost is the JSON body apps post to a response_url.
type responsePost struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	at := s.cfg.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	if !s.sleepLatency(r.Context()) {
		return
	}
	ans := s.respond(strings.TrimPrefix(r.URL.Path, "/response/"), body)
	s.mu.Lock()
	s.calls = append(s.calls, Call{
		Method: "response_url", Error: ans.code, Status: ans.status,
		Params: url.Values{"body": {string(body)}}, At: at,
	})
	s.mu.Unlock()
	writeAnswer(w, ans)
}

func (s *Server) respond(id string, body []byte) apiAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.takeFault("response_url"); ok {
		return f.answer()
	}
	ru := s.responseURLs[id]
	switch {
	case ru == nil:
		return apiAnswer{status: http.StatusNotFound, code: "invalid_url"}
	case s.cfg.Now().Sub(ru.issued) > responseURLTTL:
		return apiAnswer{status: http.StatusNotFound, code: "expired_url"}
	case ru.uses >= responseURLUses:
		return apiAnswer{status: http.StatusNotFound, code: "used_url"}
	}
	var post responsePost
	if err := json.Unmarshal(body, &post); err != nil {
		return apiAnswer{status: http.StatusBadRequest, code: "invalid_payload"}
	}
	blocks := checkBlocks(post.Blocks, maxMessageBlocks)
	switch {
	case blocks.code != "":
		return apiAnswer{status: http.StatusBadRequest, code: blocks.code}
	case !post.DeleteOriginal && post.Text == "" && blocks.blocks == nil:
		return apiAnswer{status: http.StatusBadRequest, code: "no_text"}
	}
	ru.uses++

	ch := s.channels[ru.channel]
	var orig *message
	if ch != nil && ru.messageTS != "" {
		orig = ch.message(ru.messageTS)
	}
	switch {
	case post.DeleteOriginal:
		if orig != nil {
			ch.deleteMessage(orig.TS)
		} // an ephemeral original just disappears
	case post.ReplaceOriginal && orig != nil:
		orig.Text, orig.Blocks, orig.Edited, orig.editedTS = post.Text, blocks.blocks, true, s.newTS()
	case post.ResponseType == "in_channel" && ch != nil:
		s.appendMessage(ch, s.cfg.BotUserID, post.Text, blocks.blocks, post.ThreadTS)
	default:
		s.ephemerals = append(s.ephemerals, Ephemeral{
			Channel: ru.channel, User: ru.user, Text: post.Text, Blocks: blocks.blocks,
			Via: "response_url", ReplaceOriginal: post.ReplaceOriginal, ResponseURL: s.baseURL + "/response/" + id,
		})
	}
	return apiAnswer{status: http.StatusOK}
}
