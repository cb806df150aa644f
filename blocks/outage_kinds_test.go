package blocks

import (
	"testing"

	"github.com/warroom-dev/warroom/jobtype"
)

// Every kind of work is named for people when it is given up on.
func TestEveryJobKindHasAName(t *testing.T) {
	for _, k := range jobtype.Kinds() {
		if jobWhat[k] == "" {
			t.Errorf("job kind %q has no description in jobWhat", k)
		}
	}
	if len(jobWhat) != len(jobtype.Kinds()) {
		t.Errorf("jobWhat names %d kinds, jobtype has %d", len(jobWhat), len(jobtype.Kinds()))
	}
}
