package blocks

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/warroom-dev/warroom"
)

// declareMeta is what the declare form carries in its private_metadata:
// where it was opened, and the message it was opened from. A form opened
// by /incident carries the bare channel ID, as it always has.
type declareMeta struct {
	Channel string                 `json:"channel,omitempty"`
	Source  *warroom.SourceMessage `json:"source,omitempty"`
}

func declareMetadata(d DeclareDefaults) string {
	channel := ""
	if slackID.MatchString(d.ChannelID) {
		channel = d.ChannelID
	}
	if d.Source == nil {
		return channel
	}
	src := *d.Source
	src.Text, _ = clip(src.Text, maxQuoted)
	raw, err := json.Marshal(declareMeta{Channel: channel, Source: &src})
	if err != nil || len(raw) > maxMetadata {
		return channel // the form still declares; only the quote is lost
	}
	return string(raw)
}

// readDeclareMetadata reads what declareMetadata wrote; anything else
// (a form from an older release, a forged value) carries nothing.
func readDeclareMetadata(s string) (channel string, source *warroom.SourceMessage) {
	if slackID.MatchString(s) {
		return s, nil
	}
	if !strings.HasPrefix(s, "{") {
		return "", nil
	}
	var m declareMeta
	if json.Unmarshal([]byte(s), &m) != nil {
		return "", nil
	}
	if !slackID.MatchString(m.Channel) {
		m.Channel = ""
	}
	if src := m.Source; src == nil || !slackID.MatchString(src.Channel) || !messageTS.MatchString(src.TS) ||
		(src.ThreadTS != "" && !messageTS.MatchString(src.ThreadTS)) {
		m.Source = nil
	}
	return m.Channel, m.Source
}

var messageTS = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{1,8}$`)

// FromMessage prefills the declare form from a message: its first line
// is the title, the rest the summary.
func FromMessage(text string) (title, summary string) {
	text = strings.TrimSpace(text)
	title, summary, _ = strings.Cut(text, "\n")
	return strings.TrimSpace(plainRefs(title)), strings.TrimSpace(summary)
}
