module go-slowmo.dev/bpf

go 1.26.0

require (
	github.com/cilium/ebpf v0.22.0
	golang.org/x/sys v0.43.0
)

require golang.org/x/arch v0.32.0

require golang.org/x/exp v0.0.0-20261113113407-e3970619a1a4
