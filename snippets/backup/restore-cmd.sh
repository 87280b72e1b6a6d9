#!/bin/sh
# firstboot-restore [--first-boot] [archive|latest]: verify a backup, then put its data in place.
exec "$(dirname "$0")/firstboot-backup" restore "$@"
