// Command gen writes the Go side of the eBPF records' layout from their C
// (package ckinds). In bpf/internal/probe: go run ../ckinds/gen C_FILE GO_FILE.
package main

import (
	"fmt"
	"os"

	"go-slowmo.dev/bpf/internal/ckinds"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen C_FILE GO_FILE (in the Go package's directory)")
		os.Exit(2)
	}
	src, err := os.ReadFile(os.Args[1])
	if err == nil {
		var out []byte
		if out, err = ckinds.Generate(src, os.Args[1], os.Getenv("GOPACKAGE")); err == nil {
			err = os.WriteFile(os.Args[2], out, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
