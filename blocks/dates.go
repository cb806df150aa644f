package blocks

import (
	"fmt"
	"strconv"
	"time"
)

// SlackDate is a date Slack shows in each reader's time zone and language
// ("Tomorrow at 2:00 PM"), with a UTC fallback for clients that can't.
func SlackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// dateRef is a date Slack shows in each reader's time zone, with a UTC
// fallback for clients that can't.
func dateRef(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// minutes is a length as people say it: "45 min", "1 hour", "1 h 30 min".
func minutes(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 1:
		return "under a minute"
	case m < 60:
		return strconv.FormatInt(m, 10) + " min"
	case m == 60:
		return "1 hour"
	case m%60 == 0:
		return strconv.FormatInt(m/60, 10) + " hours"
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}
