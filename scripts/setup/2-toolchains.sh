#!/usr/bin/env bash
# make setup, step 2: the toolchains it expects to find (it does not install
# them: scripts/install-prerequisites.sh does, on a bare Debian 12).
source "$(dirname "$0")/env.sh"

GO_MIN=1.22
NODE_MIN=20.19.0

step 2 $TOTAL "toolchains: Go >= $GO_MIN, Node >= $NODE_MIN, Python 3 with venv"
command -v go >/dev/null || die "Go is not installed: install Go $GO_MIN or newer (https://go.dev/doc/install) and run make setup again"
go_version="$(go env GOVERSION | sed 's/^go//')"
version_ge "$go_version" "$GO_MIN" || die "Go $go_version is too old: need $GO_MIN or newer"
command -v node >/dev/null || die "Node.js is not installed: install Node $NODE_MIN or newer"
node_version="$(node --version | sed 's/^v//')"
version_ge "$node_version" "$NODE_MIN" || die "Node $node_version is too old: need $NODE_MIN or newer"
command -v python3 >/dev/null || die "python3 is not installed"
info "go $go_version, node $node_version, $(python3 --version)"
