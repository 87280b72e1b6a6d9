# firstboot: adds/removes an address on the default-route interface (netplan, ifupdown, networkd)
set -eu
f=-4
case "$2" in *:*) f=-6 ;; esac
n=0
while :; do
  dev=$({ ip -o -4 route show default; ip -o -6 route show default; } | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')
  [ -n "$dev" ] && break
  n=$((n + 1))
  [ "$n" -lt 90 ] || { echo "floating-ip: no default route after 90 s" >&2; exit 1; }
  sleep 1
done
if [ "$1" = add ]; then
  ip "$f" addr replace "$2" dev "$dev"
else
  ip "$f" addr del "$2" dev "$dev" 2>/dev/null || true
fi
