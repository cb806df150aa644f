package commands

import (
	"strings"
)

// ZoomConnect starts connecting a Zoom account (admins): "zoom connect".
type ZoomConnect struct{}

// ZoomStatus shows the pool of Zoom hosts: "zoom status".
type ZoomStatus struct{}

// ZoomDisconnect removes a connected Zoom account: "zoom disconnect [email]".
type ZoomDisconnect struct {
	Email string // empty: the only connected account
}

// ZoomSettings opens the meeting defaults modal (admins): "zoom settings".
type ZoomSettings struct{}

func (ZoomConnect) command()    {}
func (ZoomStatus) command()     {}
func (ZoomDisconnect) command() {}
func (ZoomSettings) command()   {}

// ZoomUsage is the help for the admin commands.
func ZoomUsage() string {
	return "*Zoom commands (admins)*\n" +
		"• `/incident zoom connect` connects a Zoom account that hosts incident calls.\n" +
		"• `/incident zoom status` shows the hosts, their capacity and today's use.\n" +
		"• `/incident zoom disconnect [email]` disconnects an account and deletes its data.\n" +
		"• `/incident zoom settings` sets the topic, agenda and options of new incident meetings."
}

func parseZoom(words []string) (Command, error) {
	if len(words) == 0 {
		return nil, &UsageError{Message: "Which Zoom command?\n\n" + ZoomUsage()}
	}
	switch strings.ToLower(words[0]) {
	case "connect":
		if len(words) > 1 {
			return nil, &UsageError{Message: "`/incident zoom connect` takes nothing after it.\n\n" + ZoomUsage()}
		}
		return ZoomConnect{}, nil
	case "status":
		return ZoomStatus{}, nil
	case "settings":
		if len(words) > 1 {
			return nil, &UsageError{Message: "`/incident zoom settings` takes nothing after it.\n\n" + ZoomUsage()}
		}
		return ZoomSettings{}, nil
	case "disconnect":
		switch len(words) {
		case 1:
			return ZoomDisconnect{}, nil
		case 2:
			email := strings.TrimSpace(words[1])
			// Slack turns an email into a mailto link: <mailto:a@b|a@b>.
			if strings.HasPrefix(email, "<mailto:") && strings.HasSuffix(email, ">") {
				email = strings.TrimPrefix(strings.TrimSuffix(email, ">"), "<mailto:")
				email, _, _ = strings.Cut(email, "|")
			}
			email = decode(email)
			if !strings.Contains(email, "@") || strings.ContainsAny(email, "<>") {
				return nil, &UsageError{Message: "`" + echo(email) + "` is not an email address. Use `/incident zoom disconnect incident-bot@example.com`."}
			}
			return ZoomDisconnect{Email: strings.ToLower(email)}, nil
		}
		return nil, &UsageError{Message: "Give one email: `/incident zoom disconnect incident-bot@example.com`."}
	}
	return nil, &UsageError{Message: "I don't know `/incident zoom " + echo(decode(words[0])) + "`.\n\n" + ZoomUsage()}
}
