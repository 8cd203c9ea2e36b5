// Command slowmo-probe is the probe side of go-slowmo: it watches a compiled
// Go program's scheduler and writes the normalized event stream.
//
// Today it has one subcommand: `check`, which says whether eBPF can be used
// here and why not. `run` (the eBPF engine) and `versions` come with the
// probe-engine issue; they are not faked here.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"go-slowmo.dev/bpf/internal/capability"
)

const usage = `usage: slowmo-probe COMMAND

commands:
  check    say whether eBPF probes can be loaded here (JSON on stdout; exit 0 if yes, 3 if not)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "check":
		r := capability.Probe()
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "slowmo-probe:", err)
			os.Exit(1)
		}
		if !r.Available {
			os.Exit(3)
		}
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "slowmo-probe: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
