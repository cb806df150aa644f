package blocks

import (
	"fmt"
	"time"

	"github.com/warroom-dev/warroom"
)

// The replies to /incident commands. Changes are announced in the channel
// (everyone sees who did what); refusals and readings only to the asker.

// NotIncidentChannel answers an incident command typed elsewhere.
func NotIncidentChannel() Reply {
	return Ephemeral("Run this in an incident's channel. `/incident list` shows the open incidents.")
}

// CouldNot says warroom failed at something, with the reason a person may
// read (never internals).
func CouldNot(what string, err error) Reply {
	return Ephemeral("warroom could not " + what + ": " + warroom.ErrorMessage(err))
}

// Refused answers a command the incident's state refuses (already
// resolved, already SEV2): the store's sentence says why.
func Refused(err error) Reply {
	return Ephemeral(warroom.ErrorMessage(err))
}

func who(userID string) string { return userRef(userID) }

// SeverityChanged announces a severity change.
func SeverityChanged(by string, inc warroom.Incident, from, to warroom.Severity) Reply {
	return InChannel(fmt.Sprintf("%s changed the severity of %s from %s to %s.", who(by), inc.Ref(), from, to))
}

// CommanderChanged announces a new commander.
func CommanderChanged(by string, inc warroom.Incident, commander string) Reply {
	return InChannel(fmt.Sprintf("%s made %s the commander of %s.", who(by), userRef(commander), inc.Ref()))
}

// Resolved announces a resolve.
func Resolved(by string, inc warroom.Incident, summary string, followup bool) Reply {
	text := fmt.Sprintf("%s resolved %s.", who(by), inc.Ref())
	if summary != "" {
		text += " Summary: " + Escape(summary)
	}
	if followup {
		text += " A post-incident review is being scheduled."
	}
	return InChannel(text)
}

// Reopened announces a reopen.
func Reopened(by string, inc warroom.Incident) Reply {
	return InChannel(fmt.Sprintf("%s reopened %s.", who(by), inc.Ref()))
}

// NewCallAsked announces /incident call new.
func NewCallAsked(by string, inc warroom.Incident) Reply {
	return InChannel(fmt.Sprintf("%s asked for a new Zoom call for %s. The old meeting is deleted if nobody is in it.", who(by), inc.Ref()))
}

// CallAdopted announces a meeting someone made the incident's call.
func CallAdopted(by string, inc warroom.Incident, meetingID int64) Reply {
	return InChannel(fmt.Sprintf("%s set the call of %s to Zoom meeting %d. The pinned message has the new Join button.", who(by), inc.Ref(), meetingID))
}

// FollowupCancelAnnounced announces a cancelled follow-up.
func FollowupCancelAnnounced(by string, inc warroom.Incident, n int) Reply {
	return InChannel(fmt.Sprintf("%s cancelled follow-up #%d of %s; its Zoom meeting is deleted.", who(by), n, inc.Ref()))
}

// NoSuchFollowup answers a cancel of a number the incident does not have.
func NoSuchFollowup(inc warroom.Incident, n int) Reply {
	return Ephemeral(fmt.Sprintf("%s has no follow-up #%d. `/incident followup list` shows them.", inc.Ref(), n))
}

// FollowupScheduling answers /incident followup while its job works.
func FollowupScheduling(n int, start time.Time, length time.Duration) Reply {
	return Ephemeral(fmt.Sprintf("Scheduling follow-up #%d for %s (%d min). It appears in the channel with its Join button.",
		n, SlackDate(start), int(length/time.Minute)))
}

// CallRetrying answers the Retry button.
func CallRetrying() Reply { return Ephemeral("Trying the Zoom call again now.") }

// DeclareFailed answers a declare that could not be recorded.
func DeclareFailed(err error) Reply {
	return Ephemeral("warroom could not record the incident: " + warroom.ErrorMessage(err) + " Please try again.")
}

// ModalFailed says a form could not open, and what to do instead.
func ModalFailed(code string, declare bool) Reply {
	if declare {
		return Ephemeral("warroom could not open the form (" + code + "). Declare with a title instead: `/incident declare Checkout is down`.")
	}
	return Ephemeral("warroom could not open the settings form (" + code + "). Please try again.")
}
