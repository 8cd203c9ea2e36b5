#!/usr/bin/env bash
# make setup, step 6: the Go toolchains the probes support, as GOTOOLCHAIN
# installs them (into the module cache).
source "$(dirname "$0")/env.sh"

step 6 $TOTAL "Go toolchains the probes support (bpf/go-versions.txt)"
if [ "$PROFILE" = binder ]; then
  skip "Binder profile: the local Go only"
  exit 0
fi
modcache="$(go env GOMODCACHE)"
# A seeded module cache (another machine's GOMODCACHE) has the toolchains' zips.
if gomod_seed="$(seed gomod)"; then export GOPROXY="file://$gomod_seed/cache/download,${GOPROXY:-https://proxy.golang.org,direct}"; fi
for v in $(grep -v '^#' bpf/go-versions.txt); do
  mod="golang.org/toolchain@v0.0.1-$v.linux-amd64"
  if [ -x "$modcache/$mod/bin/go" ]; then
    skip "$v"
  elif [ -n "${gomod_seed:-}" ] && [ -x "$gomod_seed/$mod/bin/go" ] && [ -f "$gomod_seed/cache/download/golang.org/toolchain/@v/v0.0.1-$v.linux-amd64.ziphash" ]; then
    # The seed's go command unpacked and checked it already: copied as it
    # lies, with the zip's hash (not the zip), which the go command wants
    # beside an unpacked module to take it as complete.
    mkdir -p "$modcache/golang.org" "$modcache/cache/download/golang.org/toolchain/@v"
    cp -a "$gomod_seed/$mod" "$modcache/golang.org/"
    cp -a "$gomod_seed/cache/download/golang.org/toolchain/@v/v0.0.1-$v.linux-amd64.ziphash" \
      "$modcache/cache/download/golang.org/toolchain/@v/"
    info "$v: copied from the seeded module cache"
  else
    info "installing $v from the Go module proxy"
    (cd /tmp && GOTOOLCHAIN="$v" go version >/dev/null)
  fi
done
# The image keeps the toolchains, not the zips they came in (430 MB): the
# bridge runs each toolchain's own go binary (kernel-bridge/src/toolchains.ts),
# and the go command would find them without (the .ziphash files stay).
if [ "$PROFILE" = image ]; then rm -f "$modcache"/cache/download/golang.org/toolchain/@v/*.zip; fi
