package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/warroom-dev/warroom"
	"github.com/warroom-dev/warroom/commands"
	"github.com/warroom-dev/warroom/store"
)

// message is Alertmanager's webhook payload, version 4 (its
// notify/webhook.Message).
type message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []alert           `json:"alerts"`
}

type alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// maxLinks bounds the links an incident starts with: a group of a hundred
// alerts from one rule has one source worth a click, not a hundred.
const maxLinks = 10

// notification is what the store records of a message.
func notification(m message, by string, sev map[string]warroom.Severity) store.AlertNotification {
	full := title(m)
	short, _ := commands.ShortTitle(full)
	n := store.AlertNotification{GroupKey: m.GroupKey, Declare: store.NewIncident{
		Title: short, FullTitle: full, Severity: severity(m, sev),
		Origin: warroom.Origin{Door: warroom.DoorAlert, By: by, Description: strings.TrimSpace(m.CommonAnnotations["description"])},
	}}
	for _, a := range m.Alerts {
		sa := store.Alert{Fingerprint: fingerprint(a), Firing: a.Status != "resolved", Name: alertName(a, m.CommonLabels),
			Links: alertLinks(a)}
		n.Alerts = append(n.Alerts, sa)
		if sa.Firing {
			n.Declare.Origin.Links = addLinks(n.Declare.Origin.Links, sa.Links)
		}
	}
	return n
}

// title is commonAnnotations.summary, else the alert's name and the labels
// the route groups by: "HighLatency (service=checkout)".
func title(m message) string {
	if s := oneLine(m.CommonAnnotations["summary"]); s != "" {
		return s
	}
	name := m.CommonLabels["alertname"]
	if name == "" {
		name = m.GroupLabels["alertname"]
	}
	var labels []string
	for _, k := range sortedKeys(m.GroupLabels) {
		if k != "alertname" {
			labels = append(labels, k+"="+m.GroupLabels[k])
		}
	}
	switch {
	case name == "" && len(labels) == 0:
		return "Alert from Alertmanager"
	case name == "":
		return "Alerts (" + strings.Join(labels, ", ") + ")"
	case len(labels) == 0:
		return oneLine(name)
	}
	return oneLine(name + " (" + strings.Join(labels, ", ") + ")")
}

// severity is the group's common severity label mapped, else the worst of
// the firing alerts' mapped labels, else the default.
func severity(m message, sev map[string]warroom.Severity) warroom.Severity {
	if s, ok := sev[strings.ToLower(m.CommonLabels["severity"])]; ok {
		return s
	}
	worst := warroom.Severity(0)
	for _, a := range m.Alerts {
		if s, ok := sev[strings.ToLower(a.Labels["severity"])]; ok && a.Status != "resolved" && (worst == 0 || s < worst) {
			worst = s
		}
	}
	if worst == 0 {
		return warroom.DefaultSeverity
	}
	return worst
}

// alertName is the alert's name and the labels that tell it from the
// others of its notification.
func alertName(a alert, common map[string]string) string {
	name := a.Labels["alertname"]
	var own []string
	for _, k := range sortedKeys(a.Labels) {
		if k != "alertname" && common[k] != a.Labels[k] {
			own = append(own, k+"="+a.Labels[k])
		}
	}
	switch {
	case len(own) > 0 && name != "":
		name += " (" + strings.Join(own, ", ") + ")"
	case len(own) > 0:
		name = strings.Join(own, ", ")
	case name == "":
		name = a.Annotations["summary"]
	}
	return oneLine(name)
}

// alertLinks are the alert's source (the Prometheus expression) and
// runbook.
func alertLinks(a alert) []warroom.Link {
	var links []warroom.Link
	if isWebURL(a.GeneratorURL) {
		links = append(links, warroom.Link{Title: "Source: " + a.Labels["alertname"], URL: a.GeneratorURL})
	}
	for _, k := range []string{"runbook_url", "runbook"} {
		if u := strings.TrimSpace(a.Annotations[k]); isWebURL(u) {
			links = append(links, warroom.Link{Title: "Runbook: " + a.Labels["alertname"], URL: u})
			break
		}
	}
	return links
}

func addLinks(have, more []warroom.Link) []warroom.Link {
	for _, l := range more {
		dup := false
		for _, h := range have {
			dup = dup || h.URL == l.URL
		}
		if !dup && len(have) < maxLinks {
			have = append(have, l)
		}
	}
	return have
}

func isWebURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// fingerprint is Alertmanager's, or, from a sender that leaves it out,
// one made of the alert's labels, which identify an alert the same way.
func fingerprint(a alert) string {
	if a.Fingerprint != "" {
		return a.Fingerprint
	}
	h := sha256.New()
	for _, k := range sortedKeys(a.Labels) {
		h.Write([]byte(k + "\x00" + a.Labels[k] + "\x00"))
	}
	return "labels:" + hex.EncodeToString(h.Sum(nil))[:16]
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// oneLine folds whitespace, newlines included, into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
