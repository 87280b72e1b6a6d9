#!/bin/sh
# Installs the Debian packages the tests use (real tools, not mocks), only those missing.
# Run as root (CI, a fresh VM) or with sudo available.
set -eu
PKGS="shellcheck cloud-init age golang-go openssh-server openssh-client fail2ban systemd iptables nftables
  hcloud-cli rclone sqlite3 zstd postgresql qemu-system-x86 qemu-utils debootstrap buildah
  cloud-image-utils docker-registry ca-certificates curl gnupg ufw iproute2 python3 python3-yaml rsync
  openssl util-linux procps time"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
