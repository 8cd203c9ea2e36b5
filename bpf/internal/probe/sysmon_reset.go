package probe

import "go-slowmo.dev/bpf/internal/target"

// SysmonReset is, for a backend that stops the program by itself (the trace
// backend's back-pressure), what makes sysmon start a new slice on every P
// of the program running as pid (sysmon.go), to be called while it is
// stopped and before it continues. Nil when that cannot be done for binary
// (a PIE build, an unexpected layout, no DWARF).
func SysmonReset(binary string, pid int) func() error {
	bin, err := target.Open(binary)
	if err != nil {
		return nil
	}
	defer bin.Close()
	ticks := newSysmonTicks(bin, pid)
	if ticks == nil {
		return nil
	}
	return ticks.reset
}
