// Package funclen has no code: its test keeps every function of the bpf
// module (tests aside) within maxBodyLines, so that each does one job.
package funclen
