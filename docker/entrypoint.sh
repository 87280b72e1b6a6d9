#!/bin/sh
# The image runs as the caller's user (docker run --user "$(id -u):$(id -g)"), a uid the image's
# /etc/passwd does not know. ssh refuses to run for a user it cannot look up ("No user exists for
# uid"), so up/replace/status could not reach a server: nss_wrapper gives that uid a passwd entry
# whose home is $HOME, without a writable /etc/passwd.
set -eu
if ! getent passwd "$(id -u)" >/dev/null 2>&1; then
  passwd_file=$(mktemp)
  { cat /etc/passwd; printf 'firstboot:x:%s:%s:firstboot:%s:/bin/sh\n' "$(id -u)" "$(id -g)" "$HOME"; } >"$passwd_file"
  export NSS_WRAPPER_PASSWD="$passwd_file" NSS_WRAPPER_GROUP=/etc/group LD_PRELOAD=libnss_wrapper.so
fi
exec node /app/bin/firstboot.js "$@"
