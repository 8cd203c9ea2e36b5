package launch

import (
	"fmt"
	"regexp"
	"strings"
)

// godebugItem is one GODEBUG setting as the runtime reads it: a name, "=",
// a value. The bridge decides which settings a learner may ask for (its
// allow-list, protocol/godebug.ts); the probe only refuses what is not a
// setting at all, so that nothing else rides into the environment.
var godebugItem = regexp.MustCompile(`^[a-z][a-z0-9]*=[A-Za-z0-9.]+$`)

// CheckGodebug says what is wrong with a GODEBUG value asked for on the
// command line, or nil: comma-separated name=value settings.
func CheckGodebug(s string) error {
	if s == "" {
		return nil
	}
	for _, item := range strings.Split(s, ",") {
		if !godebugItem.MatchString(item) {
			return fmt.Errorf("%q is not a setting: give name=value settings separated by commas, e.g. schedtrace=100,gctrace=1", item)
		}
	}
	return nil
}

// Godebug joins the learner's GODEBUG settings and the probe's own: the
// runtime reads GODEBUG left to right and a later setting wins, so the
// probe's come last (paced mode needs asyncpreemptoff=1, the tracer its
// traceadvanceperiod, whatever the learner asked for).
func Godebug(learner, own string) string {
	switch {
	case learner == "":
		return own
	case own == "":
		return learner
	}
	return learner + "," + own
}
