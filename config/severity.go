package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/warroom-dev/warroom"
)

// SeverityMap maps the values of an alert's severity label, lowercased,
// to incident severities.
type SeverityMap map[string]warroom.Severity

// ParseSeverityMap reads `value=N,…` (N from 1 to 4, or SEV1…SEV4).
// Label values are matched without regard to case: Alertmanager setups
// spell them "critical" and "CRITICAL" alike.
func ParseSeverityMap(s string) (SeverityMap, error) {
	m := SeverityMap{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		label, sev, ok := strings.Cut(part, "=")
		label = strings.ToLower(strings.TrimSpace(label))
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(sev)), "SEV"))
		if !ok || label == "" || err != nil || !warroom.Severity(n).Valid() {
			return nil, fmt.Errorf("must be comma-separated label=severity pairs with severities 1 to 4, e.g. %s (got %q).",
				warroom.DefaultAlertSeverity, part)
		}
		m[label] = warroom.Severity(n)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("must map at least one label value, e.g. %s.", warroom.DefaultAlertSeverity)
	}
	return m, nil
}

// String is the map as WARROOM_ALERT_SEVERITY spells it, worst first.
func (m SeverityMap) String() string {
	labels := make([]string, 0, len(m))
	for l := range m {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool {
		if m[labels[i]] != m[labels[j]] {
			return m[labels[i]] < m[labels[j]]
		}
		return labels[i] < labels[j]
	})
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l + "=" + strconv.Itoa(int(m[l]))
	}
	return strings.Join(parts, ",")
}
