#!/usr/bin/env bash
# make setup, step 1: the Debian packages (and, for the container tests, the
# podman configuration this VM needs).
source "$(dirname "$0")/env.sh"

APT_PACKAGES=(clang llvm libbpf-dev bpftool bubblewrap util-linux ca-certificates)
# Chromium is the browser tests' (jupyter-ext/ui-tests), which the image does
# not run: left out of it, it saves the image 300 MB and its build a minute.
[ "$PROFILE" = image ] || APT_PACKAGES+=(chromium)
# The container tests' engine (kernel-bridge/test/container.test.ts): podman
# with runc, as containers/README.md says it runs here. netavark sets up a
# container's network with iptables, which podman only suggests: a machine
# without it fails the image's first RUN ("netavark: No such file or directory").
[ "$PROFILE" != full ] || APT_PACKAGES+=(podman runc netavark aardvark-dns catatonit iptables)

step 1 $TOTAL "Debian packages (${APT_PACKAGES[*]})"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  skip "all installed"
elif [ "$PROFILE" = binder ]; then
  skip "Binder profile: apt.txt installs what Binder needs (not here: ${missing[*]})"
else
  info "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  info "done"
fi
# This VM's podman: runc (crun refuses its hybrid cgroups), cgroupfs (no
# systemd manager), no default ulimits (it lacks CAP_SYS_RESOURCE to raise
# RLIMIT_NOFILE), netavark (no CNI plugins are installed).
ENGINE_CONF=/etc/containers/containers.conf.d/50-slowmo.conf
if [ "$PROFILE" = full ] && [ ! -f "$ENGINE_CONF" ]; then
  $SUDO mkdir -p "$(dirname "$ENGINE_CONF")"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n\n[network]\nnetwork_backend = "netavark"\n' |
    $SUDO tee "$ENGINE_CONF" >/dev/null
  info "podman configured: $ENGINE_CONF"
fi
