package blocks

import (
	"strings"

	"github.com/slack-go/slack"
	"github.com/warroom-dev/warroom"
)

// maxNextSteps bounds the next steps shown; Zoom's summary stays one
// click away in Zoom for the rest.
const maxNextSteps = 10

// maxStep bounds one next step, so that ten fit a section (3,000).
const maxStep = 280

// MeetingSummary posts Zoom AI Companion's summary of the incident call:
// its overview and next steps, as Zoom wrote them (escaped: a summary is
// text people said, never markup warroom trusts).
func MeetingSummary(inc warroom.Incident, overview string, nextSteps []string) (text string, blocks []slack.Block) {
	text = "📝 Zoom's summary of the incident call · " + inc.Ref()
	blocks = append(blocks, section("📝 *Zoom's summary of the incident call* · "+inc.Ref()))
	if o, _ := clip(strings.TrimSpace(overview), maxSectionText); o != "" { // clip escapes
		blocks = append(blocks, section(o))
	}
	var steps []string
	for _, s := range nextSteps {
		if s = strings.TrimSpace(s); s != "" && len(steps) < maxNextSteps {
			step, _ := clip(s, maxStep) // escaped
			steps = append(steps, "• "+step)
		}
	}
	if len(steps) > 0 {
		blocks = append(blocks, section("*Next steps*\n"+strings.Join(steps, "\n")))
	}
	blocks = append(blocks, note("Written by Zoom's AI Companion; it can be wrong."))
	return text, blocks
}

// SummaryBlockID tags a summary post, so it is posted once.
func SummaryBlockID(summaryID int64) string { return "warroom-summary-" + itoa(summaryID) }
