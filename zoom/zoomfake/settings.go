package zoomfake

import (
	"fmt"
	"net/http"
	"strings"
)

// PasscodeRules are a user's meeting passcode requirements, as Zoom's
// meeting_security.meeting_password_requirement has them. Meeting creates
// and updates with a passcode that breaks them fail, and the passcodes the
// fake makes up meet them. The rules are read as the client package's
// ValidatePasscode documents (strictly, where Zoom is vague).
type PasscodeRules struct {
	Length                      int // minimum length, 0 to 10
	HaveLetter                  bool
	HaveNumber                  bool
	HaveSpecialCharacter        bool
	HaveUpperAndLowerCharacters bool
	OnlyAllowNumeric            bool
	ConsecutiveCharactersLength int // 0 (no limit) or 4 to 8: runs of at most n-1
	WeakEnhanceDetection        bool
}

// userSettings are the settings the fake keeps per user.
type userSettings struct {
	requirePasscode bool
	concurrent      string // "Basic", "Plus", "None" or "" (not reported)
	rules           PasscodeRules
}

// defaultUserSettings are Zoom's defaults: a passcode on new meetings, six
// characters with letters and numbers, and Concurrent Meeting Basic for
// licensed users.
func defaultUserSettings(u User) *userSettings {
	concurrent := "None"
	if u.Type == 2 {
		concurrent = "Basic"
	}
	return &userSettings{
		requirePasscode: true,
		concurrent:      concurrent,
		rules:           PasscodeRules{Length: 6, HaveLetter: true, HaveNumber: true},
	}
}

// hostSettings finds the settings of the user with email; asking for a
// user the fake does not have is a bug in the caller, so it panics.
func (s *Server) hostSettings(email string) *userSettings {
	for _, u := range s.hosts {
		if strings.EqualFold(u.Email, email) {
			return s.settings[u.ID]
		}
	}
	panic("zoomfake: no user " + email)
}

// SetPasscodeRules sets the passcode rules of the user with email. Values
// Zoom does not offer (a Length outside 0 to 10, a
// ConsecutiveCharactersLength other than 0 or 4 to 8) panic.
func (s *Server) SetPasscodeRules(email string, r PasscodeRules) {
	if r.Length < 0 || r.Length > maxPasscodeLen {
		panic(fmt.Sprintf("zoomfake: passcode length %d is not one Zoom offers (0 to 10)", r.Length))
	}
	if n := r.ConsecutiveCharactersLength; n != 0 && (n < 4 || n > 8) {
		panic(fmt.Sprintf("zoomfake: consecutive characters length %d is not one Zoom offers (0, 4 to 8)", n))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostSettings(email).rules = r
}

// SetConcurrentMeeting sets the Concurrent Meeting plan of the user with
// email: "Basic", "Plus", "None", or "" to leave it out of the settings.
func (s *Server) SetConcurrentMeeting(email, v string) {
	switch v {
	case "Basic", "Plus", "None", "":
	default:
		panic("zoomfake: unknown concurrent meeting plan " + v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostSettings(email).concurrent = v
}

// SetRequirePasscode sets whether new meetings of the user with email get a
// passcode when the request has none.
func (s *Server) SetRequirePasscode(email string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hostSettings(email).requirePasscode = on
}

// passwordRequirementJSON is meeting_password_requirement.
type passwordRequirementJSON struct {
	ConsecutiveCharactersLength int  `json:"consecutive_characters_length"`
	HaveLetter                  bool `json:"have_letter"`
	HaveNumber                  bool `json:"have_number"`
	HaveSpecialCharacter        bool `json:"have_special_character"`
	HaveUpperAndLowerCharacters bool `json:"have_upper_and_lower_characters"`
	Length                      int  `json:"length"`
	OnlyAllowNumeric            bool `json:"only_allow_numeric"`
	WeakEnhanceDetection        bool `json:"weak_enhance_detection"`
}

func (r PasscodeRules) toJSON() passwordRequirementJSON {
	return passwordRequirementJSON{
		ConsecutiveCharactersLength: r.ConsecutiveCharactersLength, HaveLetter: r.HaveLetter,
		HaveNumber: r.HaveNumber, HaveSpecialCharacter: r.HaveSpecialCharacter,
		HaveUpperAndLowerCharacters: r.HaveUpperAndLowerCharacters, Length: r.Length,
		OnlyAllowNumeric: r.OnlyAllowNumeric, WeakEnhanceDetection: r.WeakEnhanceDetection,
	}
}

// settingsJSON is the default answer of GET /users/{userId}/settings: the
// sections warroom reads, plus enough of the rest to look like Zoom's.
type settingsJSON struct {
	ScheduleMeeting struct {
		AudioType                               string                  `json:"audio_type"`
		DefaultPasswordForScheduledMeetings     string                  `json:"default_password_for_scheduled_meetings,omitempty"`
		EmbedPasswordInJoinLink                 bool                    `json:"embed_password_in_join_link"`
		ForcePMIJBHPassword                     bool                    `json:"force_pmi_jbh_password"`
		HostVideo                               bool                    `json:"host_video"`
		JoinBeforeHost                          bool                    `json:"join_before_host"`
		MeetingPasswordRequirement              passwordRequirementJSON `json:"meeting_password_requirement"`
		ParticipantsVideo                       bool                    `json:"participants_video"`
		PersonalMeeting                         bool                    `json:"personal_meeting"`
		PSTNPasswordProtected                   bool                    `json:"pstn_password_protected"`
		RequirePasswordForInstantMeetings       bool                    `json:"require_password_for_instant_meetings"`
		RequirePasswordForPMIMeetings           string                  `json:"require_password_for_pmi_meetings"`
		RequirePasswordForScheduledMeetings     bool                    `json:"require_password_for_scheduled_meetings"`
		RequirePasswordForSchedulingNewMeetings bool                    `json:"require_password_for_scheduling_new_meetings"`
		UsePMIForInstantMeetings                bool                    `json:"use_pmi_for_instant_meetings"`
		UsePMIForScheduledMeetings              bool                    `json:"use_pmi_for_scheduled_meetings"`
	} `json:"schedule_meeting"`
	InMeeting struct {
		BreakoutRoom            bool   `json:"breakout_room"`
		Chat                    bool   `json:"chat"`
		CoHost                  bool   `json:"co_host"`
		EntryExitChime          string `json:"entry_exit_chime"`
		Polling                 bool   `json:"polling"`
		ScreenSharing           bool   `json:"screen_sharing"`
		WaitingRoom             bool   `json:"waiting_room"`
		WhoCanShareScreen       string `json:"who_can_share_screen"`
		E2EEncryption           bool   `json:"e2e_encryption"`
		AllowLiveStreaming      bool   `json:"allow_live_streaming"`
		RequestPermissionUnmute bool   `json:"request_permission_to_unmute"`
	} `json:"in_meeting"`
	EmailNotification struct {
		AlternativeHostReminder         bool `json:"alternative_host_reminder"`
		CancelMeetingReminder           bool `json:"cancel_meeting_reminder"`
		CloudRecordingAvailableReminder bool `json:"cloud_recording_available_reminder"`
		JBHReminder                     bool `json:"jbh_reminder"`
		ScheduleForReminder             bool `json:"schedule_for_reminder"`
	} `json:"email_notification"`
	Recording struct {
		AutoRecording     string `json:"auto_recording"`
		CloudRecording    bool   `json:"cloud_recording"`
		LocalRecording    bool   `json:"local_recording"`
		RecordSpeakerView bool   `json:"record_speaker_view"`
		SaveChatText      bool   `json:"save_chat_text"`
	} `json:"recording"`
	Telephony struct {
		ThirdPartyAudio              bool `json:"third_party_audio"`
		ShowInternationalNumbersLink bool `json:"show_international_numbers_link"`
	} `json:"telephony"`
	Feature struct {
		MeetingCapacity   int    `json:"meeting_capacity"`
		LargeMeeting      bool   `json:"large_meeting"`
		Webinar           bool   `json:"webinar"`
		CNMeeting         bool   `json:"cn_meeting"`
		InMeeting         bool   `json:"in_meeting"`
		ZoomPhone         bool   `json:"zoom_phone"`
		ConcurrentMeeting string `json:"concurrent_meeting,omitempty"`
	} `json:"feature"`
}

// meetingSecurityJSON is the answer with ?option=meeting_security.
type meetingSecurityJSON struct {
	MeetingSecurity struct {
		AutoSecurity                       bool                    `json:"auto_security"`
		BlockUserDomain                    bool                    `json:"block_user_domain"`
		EmbedPasswordInJoinLink            bool                    `json:"embed_password_in_join_link"`
		EncryptionType                     string                  `json:"encryption_type"`
		EndToEndEncryptedMeetings          bool                    `json:"end_to_end_encrypted_meetings"`
		MeetingPassword                    bool                    `json:"meeting_password"`
		MeetingPasswordRequirement         passwordRequirementJSON `json:"meeting_password_requirement"`
		OnlyAuthenticatedCanJoinFromWeb    bool                    `json:"only_authenticated_can_join_from_webclient"`
		PhonePassword                      bool                    `json:"phone_password"`
		PMIPassword                        bool                    `json:"pmi_password"`
		RequirePasswordForScheduledMeeting bool                    `json:"require_password_for_scheduled_meeting"`
		WaitingRoom                        bool                    `json:"waiting_room"`
	} `json:"meeting_security"`
}

// getUserSettings serves GET /v2/users/{userId}/settings: the general
// settings, or with ?option=meeting_security the security ones. The other
// options (meeting_authentication, recording_authentication) are not
// simulated and answer a validation error.
func (s *Server) getUserSettings(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	option := r.URL.Query().Get("option")
	if option != "" && option != "meeting_security" {
		writeValidation(w, []fieldError{{Field: "option", Message: "Invalid field."}})
		return
	}
	s.mu.Lock()
	us := *s.settings[u.ID]
	s.mu.Unlock()

	if option == "meeting_security" {
		var b meetingSecurityJSON
		ms := &b.MeetingSecurity
		ms.AutoSecurity = true
		ms.EmbedPasswordInJoinLink = true
		ms.EncryptionType = "enhanced_encryption"
		ms.MeetingPassword = us.requirePasscode
		ms.MeetingPasswordRequirement = us.rules.toJSON()
		ms.PhonePassword = true
		ms.PMIPassword = true
		ms.RequirePasswordForScheduledMeeting = us.requirePasscode
		writeJSON(w, http.StatusOK, b)
		return
	}
	var b settingsJSON
	sm := &b.ScheduleMeeting
	sm.AudioType = "both"
	sm.EmbedPasswordInJoinLink = true
	sm.JoinBeforeHost = false
	sm.MeetingPasswordRequirement = us.rules.toJSON()
	sm.PSTNPasswordProtected = true
	sm.RequirePasswordForInstantMeetings = us.requirePasscode
	sm.RequirePasswordForPMIMeetings = "all"
	sm.RequirePasswordForScheduledMeetings = us.requirePasscode
	sm.RequirePasswordForSchedulingNewMeetings = us.requirePasscode
	im := &b.InMeeting
	im.BreakoutRoom, im.Chat, im.CoHost, im.Polling, im.ScreenSharing = true, true, true, true, true
	im.EntryExitChime = "none"
	im.WhoCanShareScreen = "host"
	en := &b.EmailNotification
	en.AlternativeHostReminder, en.CancelMeetingReminder, en.CloudRecordingAvailableReminder, en.JBHReminder, en.ScheduleForReminder = true, true, true, true, true
	b.Recording.AutoRecording = "none"
	b.Recording.CloudRecording = u.Type == 2
	b.Recording.LocalRecording = true
	b.Recording.RecordSpeakerView = true
	b.Telephony.ShowInternationalNumbersLink = true
	f := &b.Feature
	f.MeetingCapacity = 100
	f.ConcurrentMeeting = us.concurrent
	writeJSON(w, http.StatusOK, b)
}

// writeInvalidPasscode answers a passcode that breaks the host's rules.
func writeInvalidPasscode(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, 300, "Invalid parameter: password.")
}
