package probe

// The names of the two choices, as the CLI takes them and run.start says them.
const (
	SysmonHidePauses = "hide-pauses"
	SysmonSeePauses  = "see-pauses"
)

// SysmonMode names a run's choice.
func SysmonMode(seesPauses bool) string {
	if seesPauses {
		return SysmonSeePauses
	}
	return SysmonHidePauses
}
