package zoomfake

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

var passwordRE = regexp.MustCompile(`^[a-zA-Z0-9@\-_*]{1,10}$`)

// Invitee is an entry of settings.meeting_invitees.
type Invitee struct {
	Email string `json:"email"`
}

// Settings are a meeting's settings as Zoom echoes them.
type Settings struct {
	HostVideo                         bool   `json:"host_video"`
	ParticipantVideo                  bool   `json:"participant_video"`
	JoinBeforeHost                    bool   `json:"join_before_host"`
	JBHTime                           int    `json:"jbh_time"`
	MuteUponEntry                     bool   `json:"mute_upon_entry"`
	WaitingRoom                       bool   `json:"waiting_room"`
	Watermark                         bool   `json:"watermark"`
	UsePMI                            bool   `json:"use_pmi"`
	ApprovalType                      int    `json:"approval_type"`
	Audio                             string `json:"audio"`
	AutoRecording                     string `json:"auto_recording"`
	AlternativeHosts                  string `json:"alternative_hosts"`
	AlternativeHostsEmailNotification bool   `json:"alternative_hosts_email_notification"`
	AutoStartMeetingSummary           bool   `json:"auto_start_meeting_summary"`
	MeetingAuthentication             bool   `json:"meeting_authentication"`
	EmailNotification                 bool   `json:"email_notification"`
	PrivateMeeting                    bool   `json:"private_meeting"`
	EncryptionType                    string `json:"encryption_type"`
	// MeetingInvitees are echoed as sent, as Zoom's current API does
	// (settings.meeting_invitees of GET /meetings/{meetingId}).
	MeetingInvitees []Invitee `json:"meeting_invitees,omitempty"`
}

// defaultSettings are what Zoom fills in for settings a request leaves out.
func defaultSettings() Settings {
	return Settings{
		ApprovalType:                      2,
		Audio:                             "both",
		AutoRecording:                     "none",
		AlternativeHostsEmailNotification: true,
		EmailNotification:                 true,
		EncryptionType:                    "enhanced_encryption",
	}
}

// meetingInput is a create or update body. Pointers tell "absent" from
// "zero", which an update needs.
type meetingInput struct {
	Topic     *string        `json:"topic"`
	Type      *int           `json:"type"`
	StartTime *string        `json:"start_time"`
	Duration  *int           `json:"duration"`
	Timezone  *string        `json:"timezone"`
	Agenda    *string        `json:"agenda"`
	Password  *string        `json:"password"`
	Settings  *settingsInput `json:"settings"`
}

type settingsInput struct {
	HostVideo             *bool      `json:"host_video"`
	ParticipantVideo      *bool      `json:"participant_video"`
	JoinBeforeHost        *bool      `json:"join_before_host"`
	JBHTime               *int       `json:"jbh_time"`
	MuteUponEntry         *bool      `json:"mute_upon_entry"`
	WaitingRoom           *bool      `json:"waiting_room"`
	Watermark             *bool      `json:"watermark"`
	UsePMI                *bool      `json:"use_pmi"`
	ApprovalType          *int       `json:"approval_type"`
	Audio                 *string    `json:"audio"`
	AutoRecording         *string    `json:"auto_recording"`
	AlternativeHosts      *string    `json:"alternative_hosts"`
	AutoStartSummary      *bool      `json:"auto_start_meeting_summary"`
	MeetingAuthentication *bool      `json:"meeting_authentication"`
	PrivateMeeting        *bool      `json:"private_meeting"`
	MeetingInvitees       *[]Invitee `json:"meeting_invitees"`
}

// validate checks what Zoom checks and names the offending fields the way
// Zoom does ("settings.jbh_time").
func (in *meetingInput) validate() []fieldError {
	var errs []fieldError
	bad := func(field string) { errs = append(errs, fieldError{Field: field, Message: "Invalid field."}) }
	if in.Topic != nil && utf8.RuneCountInString(*in.Topic) > 200 {
		bad("topic")
	}
	if in.Type != nil && !slices.Contains([]int{1, 2, 3, 8}, *in.Type) {
		bad("type")
	}
	if in.StartTime != nil && *in.StartTime != "" {
		if _, err := parseStartTime(*in.StartTime, ""); err != nil {
			bad("start_time")
		}
	}
	if in.Duration != nil && *in.Duration < 0 {
		bad("duration")
	}
	if in.Agenda != nil && utf8.RuneCountInString(*in.Agenda) > 2000 {
		bad("agenda")
	}
	if in.Password != nil && *in.Password != "" && !passwordRE.MatchString(*in.Password) {
		bad("password")
	}
	if st := in.Settings; st != nil {
		if st.JBHTime != nil && !slices.Contains([]int{0, 5, 10}, *st.JBHTime) {
			bad("settings.jbh_time")
		}
		if st.ApprovalType != nil && !slices.Contains([]int{0, 1, 2}, *st.ApprovalType) {
			bad("settings.approval_type")
		}
		if st.Audio != nil && !slices.Contains([]string{"both", "telephony", "voip"}, *st.Audio) {
			bad("settings.audio")
		}
		if st.AutoRecording != nil && !slices.Contains([]string{"local", "cloud", "none"}, *st.AutoRecording) {
			bad("settings.auto_recording")
		}
		if st.MeetingInvitees != nil {
			for i, inv := range *st.MeetingInvitees {
				if !strings.Contains(inv.Email, "@") {
					bad(fmt.Sprintf("settings.meeting_invitees[%d].email", i))
				}
			}
		}
	}
	return errs
}

// apply copies the settings a request names onto s.
func (in *settingsInput) apply(s *Settings) {
	set := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.HostVideo, in.HostVideo)
	set(&s.ParticipantVideo, in.ParticipantVideo)
	set(&s.JoinBeforeHost, in.JoinBeforeHost)
	set(&s.MuteUponEntry, in.MuteUponEntry)
	set(&s.WaitingRoom, in.WaitingRoom)
	set(&s.Watermark, in.Watermark)
	set(&s.UsePMI, in.UsePMI)
	set(&s.MeetingAuthentication, in.MeetingAuthentication)
	set(&s.PrivateMeeting, in.PrivateMeeting)
	if in.JBHTime != nil {
		s.JBHTime = *in.JBHTime
	}
	if in.ApprovalType != nil {
		s.ApprovalType = *in.ApprovalType
	}
	if in.Audio != nil {
		s.Audio = *in.Audio
	}
	if in.AutoRecording != nil {
		s.AutoRecording = *in.AutoRecording
	}
	if in.AlternativeHosts != nil {
		s.AlternativeHosts = *in.AlternativeHosts
	}
	set(&s.AutoStartMeetingSummary, in.AutoStartSummary)
	if in.MeetingInvitees != nil {
		s.MeetingInvitees = slices.Clone(*in.MeetingInvitees)
	}
	// Zoom: enabling the waiting room turns join-before-host off.
	if s.WaitingRoom {
		s.JoinBeforeHost = false
	}
}

// parseStartTime accepts Zoom's two forms: UTC ("…Z", or any RFC 3339
// offset) and local time without a zone, which Zoom reads in the meeting's
// timezone. Without one, or where this machine has no timezone database
// (the fake does not bring its own), that is UTC. Zoom answers start_time
// in UTC either way.
func parseStartTime(v, timezone string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	loc := time.UTC
	if timezone != "" {
		if l, err := time.LoadLocation(timezone); err == nil {
			loc = l
		}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", v, loc)
	return t.UTC(), err
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// badAlternativeHost is the first of settings.alternative_hosts (emails or
// user IDs, ";"-separated) that Zoom refuses: alternative hosts must be
// licensed, active users of the host's own account, and not the host. ""
// when all are fine. s.mu is held.
func (s *Server) badAlternativeHost(in *meetingInput, hostID string) string {
	if in.Settings == nil || in.Settings.AlternativeHosts == nil {
		return ""
	}
	for _, who := range strings.Split(*in.Settings.AlternativeHosts, ";") {
		if who = strings.TrimSpace(who); who == "" {
			continue
		}
		u, ok := s.userByEmail(who)
		if !ok {
			for _, h := range s.hosts {
				if h.ID == who {
					u, ok = h, true
				}
			}
		}
		if !ok || u.Type != 2 || u.ID == hostID || s.standing[u.ID].Inactive {
			return who
		}
	}
	return ""
}

// writeBadAlternativeHost answers as Zoom does for an alternative host it
// refuses. The reference documents neither the code nor the wording; the
// fake uses 400, code 1114, and names the user.
func writeBadAlternativeHost(w http.ResponseWriter, who string) {
	writeError(w, http.StatusBadRequest, 1114, "Invalid alternative host: "+who+". Alternative hosts must be licensed users in the same account as the host.")
}
