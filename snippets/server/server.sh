# server step: applies the journald size cap written to /etc/systemd/journald.conf.d/firstboot.conf and re-enables the apt timers paused during install
systemctl restart systemd-journald
systemctl start apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
