package warroom

import "time"

// The defaults of warroom's settings, in one package: the configuration,
// the front door, the workers and the docs read them from here (the
// follow-up's sit beside Followup). DefaultPolicy gathers those of an
// incident's life.
const (
	DefaultChannelPrefix  = "inc-"
	DefaultPollInterval   = time.Minute
	DefaultRecordingWait  = 7 * 24 * time.Hour
	DefaultConnectLinkTTL = 10 * time.Minute

	// DefaultRecordingPollMax caps the wait between two looks for a
	// recording when no event says it is ready: it appears at most this
	// long after Zoom finished it.
	DefaultRecordingPollMax = 10 * time.Minute

	// DefaultAlertSeverity maps the values of an alert's severity label
	// to incident severities (WARROOM_ALERT_SEVERITY): the values
	// Alertmanager's own examples use.
	DefaultAlertSeverity = "critical=1,error=2,warning=3,info=4"
)
