package blocks

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/warroom-dev/warroom"
)

// OriginBlockID tags the message that says where an incident came from.
func OriginBlockID(incidentID int64) string { return "warroom-origin-" + itoa(incidentID) }

// ThreadReplyBlockID tags the reply in the thread of the message an
// incident was declared from.
func ThreadReplyBlockID(incidentID int64) string { return "warroom-thread-" + itoa(incidentID) }

// HasOrigin says whether an incident has anything for its origin message:
// a source message, a description or links.
func HasOrigin(o warroom.Origin) bool {
	return o.Message != nil || strings.TrimSpace(o.Description) != "" || len(o.Links) > 0
}

// OriginMessage opens the incident channel with where the incident came
// from: the message it was declared from, quoted and linked, what the
// declarer wrote besides the title, and the pages it started with.
func OriginMessage(inc warroom.Incident, permalink string) Message {
	o := inc.Origin
	var blks []slack.Block
	if m := o.Message; m != nil {
		head := fmt.Sprintf("Declared from a message in <#%s>", m.Channel)
		if slackID.MatchString(m.User) {
			head = fmt.Sprintf("Declared from <@%s>'s message in <#%s>", m.User, m.Channel)
		}
		if permalink != "" {
			head += fmt.Sprintf(" · <%s|View message>", linkURL(permalink))
		}
		blks = append(blks, section(head+":"))
		if q := quote(m.Text); q != "" {
			blks = append(blks, section(q))
		}
	}
	if d := strings.TrimSpace(o.Description); d != "" {
		text, _ := clip(Escape(d), maxSectionText-chars("*Summary*\n"))
		blks = append(blks, section("*Summary*\n"+text))
	}
	if len(o.Links) > 0 {
		var lines []string
		for _, l := range o.Links {
			title := l.Title
			if title == "" {
				title = l.URL
			}
			t, _ := clip(Escape(title), 200)
			if !webURL(l.URL) {
				lines = append(lines, "• "+t) // not a web page: shown, never a link
				continue
			}
			lines = append(lines, fmt.Sprintf("• <%s|%s>", linkURL(l.URL), t))
		}
		text, _ := clip(strings.Join(lines, "\n"), maxSectionText-chars("*Links*\n"))
		blks = append(blks, section("*Links*\n"+text))
	}
	return Msg(fmt.Sprintf("Where %s came from", inc.Ref()), blks)
}

// ThreadReply answers the message an incident was declared from, in its
// thread: where the war room is.
func ThreadReply(inc warroom.Incident) Message {
	text := fmt.Sprintf("🚨 %s was declared from this message. War room: <#%s>", inc.Ref(), inc.ChannelID)
	return Msg(fmt.Sprintf("%s was declared from this message", inc.Ref()), []slack.Block{section(text)})
}

// quote renders a message's text as a Slack quote, each line behind ">",
// escaped so nothing in it becomes a mention or a link of its own.
func quote(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	text, _ = clip(Escape(plainRefs(text)), maxSectionText-200)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// linkURL keeps a URL from closing the <url|label> it is put in.
func linkURL(u string) string {
	return strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C", " ", "%20").Replace(u)
}

func webURL(u string) bool {
	u = strings.ToLower(u)
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// FunctionFailed is what a Workflow Builder step is told when the
// incident's Zoom meeting could not be made: the war room stands, and
// the person running the workflow learns where and what to do.
func FunctionFailed(inc warroom.Incident) string {
	reason := inc.CallError
	if reason == "" {
		reason = "Zoom did not create the meeting"
	}
	return fmt.Sprintf("%s has its channel, but no Zoom call yet: %s. Admins can check with /incident zoom status; the channel shows a Retry button.", inc.Ref(), reason)
}

// AlreadyDeclaredFromMessage answers a declare form opened on a message
// someone else already declared an incident from (a form field's error:
// plain text, no links).
func AlreadyDeclaredFromMessage(inc warroom.Incident) string {
	where := "its channel is being made"
	if inc.ChannelName != "" {
		where = "its channel is #" + inc.ChannelName
	}
	return fmt.Sprintf("%s was already declared from this message; %s. Close this form and join it there.", inc.Ref(), where)
}
