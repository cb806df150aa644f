package blocks

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// Callback IDs of warroom's modals; the bot routes view_submission by them.
const (
	CallbackDeclare      = "declare"
	CallbackZoomSettings = "zoom_settings"
)

// Block IDs of the modals' inputs. Each input's action_id equals its
// block_id, and the errors maps of ParseDeclareSubmission and
// ParseZoomSettings are keyed by them (as response_action "errors" wants).
const (
	BlockDeclareTitle      = "title"
	BlockDeclareSeverity   = "severity"
	BlockDeclarePrivate    = "private"
	BlockDeclareResponders = "responders"
	BlockDeclareSummary    = "summary"

	BlockTopicTemplate  = "topic_template"
	BlockAgendaTemplate = "agenda_template"
	BlockMeetingOptions = "meeting_options"
	BlockAutoRecording  = "auto_recording"
)

// Option values of the modals' checkboxes and radio buttons.
const (
	optionPrivate        = "private"
	optionJoinBeforeHost = "join_before_host"
	optionWaitingRoom    = "waiting_room"
	optionMuteOnEntry    = "mute_on_entry"
	optionEndOnResolve   = "end_on_resolve"
	optionAutoSummary    = "auto_summary"
)

// Limits of the modal inputs.
const (
	maxTitleInput    = 150 // commands.MaxTitle
	maxTopicTemplate = 200 // Zoom's topic limit: a longer template is all cut
	maxAgendaInput   = maxAgenda
	maxMetadata      = 3000
	maxSummaryInput  = 3000
	// maxQuoted is how much of a source message the form carries (in its
	// private_metadata, with room for the rest) to quote in the channel;
	// the permalink leads to the whole.
	maxQuoted = 1500
)

// AutoRecording values, as Zoom names them.
var autoRecordings = []struct{ value, label, description string }{
	{"none", "Don't record", ""},
	{"local", "Record on the computer of whoever starts it", ""},
	{"cloud", "Record to the Zoom cloud", "Needs a paid Zoom plan with cloud recording."},
}

var severityChoices = []struct {
	sev     warroom.Severity
	meaning string
}{
	{warroom.SEV1, "Critical: most customers can't use the product"},
	{warroom.SEV2, "Major: a key feature is down or badly degraded"},
	{warroom.SEV3, "Minor: limited impact, a workaround exists"},
	{warroom.SEV4, "Low: no customer impact yet"},
}

// DeclareDefaults prefill the declare modal.
type DeclareDefaults struct {
	Title     string
	Severity  warroom.Severity // SEV2 when not valid
	Private   bool
	ChannelID string // where /incident was typed; carried in private_metadata
	Summary   string // what is known besides the title
	// Source is the message the form was opened from (the message
	// shortcut); carried in private_metadata.
	Source *warroom.SourceMessage
}

// DeclareSubmission is what a person submitted in the declare modal.
type DeclareSubmission struct {
	Title      string // whitespace collapsed, at most 150 characters
	Severity   warroom.Severity
	Private    bool
	Responders []string // user IDs, each once
	ChannelID  string   // from private_metadata; "" if none
	Summary    string
	Source     *warroom.SourceMessage // from private_metadata; nil if none
}

// DeclareModal is the form /incident declare opens when no title was given.
func DeclareModal(d DeclareDefaults) slack.ModalViewRequest {
	title := slack.NewPlainTextInputBlockElement(textObj(plainText, "Checkout is down"), BlockDeclareTitle).
		WithMaxLength(maxTitleInput)
	if t := inputValue(strings.Join(strings.Fields(inputText(d.Title, false)), " "), maxTitleInput); t != "" {
		title.InitialValue = t
	}

	sev := d.Severity
	if !sev.Valid() {
		sev = warroom.DefaultSeverity
	}
	var options []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, c := range severityChoices {
		o := slack.NewOptionBlockObject(strconv.Itoa(int(c.sev)), textObj(plainText, c.sev.String()), textObj(plainText, c.meaning))
		options = append(options, o)
		if c.sev == sev {
			initial = o
		}
	}
	severity := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, textObj(plainText, "Choose a severity"), BlockDeclareSeverity, options...).
		WithInitialOption(initial)

	privateOption := slack.NewOptionBlockObject(optionPrivate, textObj(plainText, "Private incident"),
		textObj(plainText, "A private channel; the call link stays inside it."))
	private := slack.NewCheckboxGroupsBlockElement(BlockDeclarePrivate, privateOption)
	if d.Private {
		private.InitialOptions = []*slack.OptionBlockObject{privateOption}
	}

	responders := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, textObj(plainText, "Choose people"), BlockDeclareResponders)

	summary := slack.NewPlainTextInputBlockElement(textObj(plainText, "What people see, what is known"), BlockDeclareSummary).
		WithMaxLength(maxSummaryInput)
	summary.Multiline = true
	summary.InitialValue = inputValue(inputText(d.Summary, true), maxSummaryInput)

	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackDeclare,
		Title:      textObj(plainText, "Declare an incident"),
		Submit:     textObj(plainText, "Declare"),
		Close:      textObj(plainText, "Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(BlockDeclareTitle, textObj(plainText, "Title"),
				textObj(plainText, "What is broken, in a few words. It names the channel and the Zoom meeting."), title),
			slack.NewInputBlock(BlockDeclareSeverity, textObj(plainText, "Severity"), nil, severity),
			slack.NewInputBlock(BlockDeclareSummary, textObj(plainText, "Summary"), nil, summary).WithOptional(true),
			slack.NewInputBlock(BlockDeclarePrivate, textObj(plainText, "Visibility"), nil, private).WithOptional(true),
			slack.NewInputBlock(BlockDeclareResponders, textObj(plainText, "Responders to invite"),
				textObj(plainText, "They are invited to the incident channel."), responders).WithOptional(true),
		}},
		PrivateMetadata: declareMetadata(d),
	}
}

// ParseDeclareSubmission reads a submitted declare modal. errs maps block
// IDs to what is wrong there; when it is not empty, answer the submission
// with slack.NewErrorsViewSubmissionResponse(errs).
func ParseDeclareSubmission(view slack.View) (DeclareSubmission, map[string]string) {
	errs := map[string]string{}
	get := values(view)
	var s DeclareSubmission

	s.Title = strings.Join(strings.Fields(inputText(get(BlockDeclareTitle).Value, false)), " ")
	switch n := utf8.RuneCountInString(s.Title); {
	case n == 0:
		errs[BlockDeclareTitle] = "Give the incident a title, like “Checkout is down”."
	case n > maxTitleInput:
		errs[BlockDeclareTitle] = "Keep the title to " + strconv.Itoa(maxTitleInput) + " characters; details can go in the channel."
	}

	s.Severity = warroom.DefaultSeverity
	if v := get(BlockDeclareSeverity).SelectedOption.Value; v != "" {
		n, err := strconv.Atoi(v)
		if s.Severity = warroom.Severity(n); err != nil || !s.Severity.Valid() {
			s.Severity = warroom.DefaultSeverity
			errs[BlockDeclareSeverity] = "Choose a severity from SEV1 to SEV4."
		}
	}

	for _, o := range get(BlockDeclarePrivate).SelectedOptions {
		if o.Value == optionPrivate {
			s.Private = true
		}
	}

	seen := map[string]bool{}
	for _, id := range get(BlockDeclareResponders).SelectedUsers {
		if slackID.MatchString(id) && !seen[id] {
			seen[id] = true
			s.Responders = append(s.Responders, id)
		}
	}

	s.Summary = strings.TrimSpace(inputText(get(BlockDeclareSummary).Value, true))
	s.ChannelID, s.Source = readDeclareMetadata(view.PrivateMetadata)
	return s, errs
}

// ZoomSettingsModal is the form of /incident zoom settings, filled with the
// current meeting defaults.
func ZoomSettingsModal(d warroom.MeetingDefaults) slack.ModalViewRequest {
	topicText := d.TopicTemplate
	if strings.TrimSpace(topicText) == "" {
		topicText = warroom.DefaultMeetingDefaults().TopicTemplate
	}
	topic := slack.NewPlainTextInputBlockElement(textObj(plainText, warroom.DefaultMeetingDefaults().TopicTemplate), BlockTopicTemplate).
		WithMaxLength(maxTopicTemplate)
	topic.InitialValue = inputValue(inputText(topicText, false), maxTopicTemplate)

	agenda := slack.NewPlainTextInputBlockElement(textObj(plainText, "War room for {{ref}}, declared by {{declarer}}."), BlockAgendaTemplate).
		WithMaxLength(maxAgendaInput)
	agenda.Multiline = true
	agenda.InitialValue = inputValue(inputText(d.AgendaTemplate, true), maxAgendaInput)

	option := func(value, label, description string) *slack.OptionBlockObject {
		var desc *slack.TextBlockObject
		if description != "" {
			desc = textObj(plainText, description)
		}
		return slack.NewOptionBlockObject(value, textObj(plainText, label), desc)
	}
	jbh := option(optionJoinBeforeHost, "Join before host", "People can start the call: warroom's host never joins it.")
	waiting := option(optionWaitingRoom, "Waiting room", "Holds people until a host admits them; not with join before host.")
	mute := option(optionMuteOnEntry, "Mute people as they join", "")
	end := option(optionEndOnResolve, "End the meeting when the incident is resolved", "Everyone still in the call is let go.")
	summary := option(optionAutoSummary, "Start the AI summary automatically",
		"Posted in the incident channel. Needs Zoom's AI Companion for the host.")
	options := slack.NewCheckboxGroupsBlockElement(BlockMeetingOptions, jbh, waiting, mute, end, summary)
	for _, o := range []struct {
		on  bool
		opt *slack.OptionBlockObject
	}{{d.JoinBeforeHost, jbh}, {d.WaitingRoom, waiting}, {d.MuteOnEntry, mute}, {d.EndOnResolve, end}, {d.AutoSummary, summary}} {
		if o.on {
			options.InitialOptions = append(options.InitialOptions, o.opt)
		}
	}

	var recOptions []*slack.OptionBlockObject
	var recInitial *slack.OptionBlockObject
	for _, r := range autoRecordings {
		o := option(r.value, r.label, r.description)
		recOptions = append(recOptions, o)
		if r.value == d.AutoRecording || recInitial == nil {
			recInitial = o // "none" unless d names another
		}
	}
	recording := slack.NewRadioButtonsBlockElement(BlockAutoRecording, recOptions...)
	recording.InitialOption = recInitial

	intro := "These settings apply to every new incident meeting. In the templates, " +
		"`{{severity}}`, `{{title}}`, `{{ref}}`, `{{declarer}}` and `{{status}}` are filled in."
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackZoomSettings,
		Title:      textObj(plainText, "Zoom meeting settings"),
		Submit:     textObj(plainText, "Save"),
		Close:      textObj(plainText, "Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(intro),
			slack.NewInputBlock(BlockTopicTemplate, textObj(plainText, "Meeting topic"),
				textObj(plainText, "Zoom shows at most 200 characters; a long title is cut to fit."), topic),
			slack.NewInputBlock(BlockAgendaTemplate, textObj(plainText, "Meeting agenda"), nil, agenda).WithOptional(true),
			slack.NewInputBlock(BlockMeetingOptions, textObj(plainText, "Meeting options"), nil, options).WithOptional(true),
			slack.NewInputBlock(BlockAutoRecording, textObj(plainText, "Recording"), nil, recording),
		}},
	}
}

// ParseZoomSettings reads a submitted Zoom settings modal; errs as for
// ParseDeclareSubmission.
func ParseZoomSettings(view slack.View) (warroom.MeetingDefaults, map[string]string) {
	errs := map[string]string{}
	get := values(view)
	var d warroom.MeetingDefaults

	d.TopicTemplate = strings.TrimSpace(inputText(get(BlockTopicTemplate).Value, false))
	switch n := utf8.RuneCountInString(d.TopicTemplate); {
	case n == 0:
		errs[BlockTopicTemplate] = "Meetings need a topic, like “{{severity}} Incident – {{title}}”."
	case n > maxTopicTemplate:
		errs[BlockTopicTemplate] = "Zoom topics are at most 200 characters; shorten the template."
	}

	d.AgendaTemplate = strings.TrimSpace(inputText(get(BlockAgendaTemplate).Value, true))
	if utf8.RuneCountInString(d.AgendaTemplate) > maxAgendaInput {
		errs[BlockAgendaTemplate] = "Zoom agendas are at most 2,000 characters; shorten the template."
	}

	for _, o := range get(BlockMeetingOptions).SelectedOptions {
		switch o.Value {
		case optionJoinBeforeHost:
			d.JoinBeforeHost = true
		case optionWaitingRoom:
			d.WaitingRoom = true
		case optionMuteOnEntry:
			d.MuteOnEntry = true
		case optionEndOnResolve:
			d.EndOnResolve = true
		case optionAutoSummary:
			d.AutoSummary = true
		}
	}
	if d.WaitingRoom && d.JoinBeforeHost {
		errs[BlockMeetingOptions] = "Choose one of join before host and waiting room: a waiting room turns join before host off, " +
			"and warroom's host never joins the call to admit anyone, so people would wait forever."
	}

	d.AutoRecording = "none"
	if v := get(BlockAutoRecording).SelectedOption.Value; v != "" {
		known := false
		for _, r := range autoRecordings {
			known = known || r.value == v
		}
		if known {
			d.AutoRecording = v
		} else {
			errs[BlockAutoRecording] = "Choose how to record: not at all, locally or in the cloud."
		}
	}
	return d, errs
}

// values reads a submitted view's state by block ID (action_id = block_id).
func values(view slack.View) func(blockID string) slack.BlockAction {
	return func(blockID string) slack.BlockAction {
		if view.State == nil {
			return slack.BlockAction{}
		}
		return view.State.Values[blockID][blockID]
	}
}

// inputText makes submitted or prefilled text plain and valid: control
// characters become spaces (line breaks stay when multiline).
func inputText(s string, multiline bool) string {
	return zoomText(s, multiline)
}

// inputValue cuts an initial value to an input's max_length, so Slack does
// not refuse the whole modal; "" stays "".
func inputValue(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return strings.TrimRightFunc(string([]rune(s)[:max]), unicode.IsSpace)
}
