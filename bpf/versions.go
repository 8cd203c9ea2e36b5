// Package bpf is the probe side of go-slowmo; this file holds the list of Go
// releases it supports, shared by slowmo-probe, make setup and the tests.
package bpf

import (
	_ "embed"
	"strings"
)

//go:embed go-versions.txt
var goVersions string

// GoVersions are the supported Go releases, oldest first (go-versions.txt).
func GoVersions() []string {
	var out []string
	for _, line := range strings.Split(goVersions, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
