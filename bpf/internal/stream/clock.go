package stream

import "golang.org/x/sys/unix"

// Monotonic is CLOCK_MONOTONIC in ns: the clock of the probes' records, of
// the execution tracer's timestamps and of every event's t.
func Monotonic() uint64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return uint64(ts.Nano())
}
