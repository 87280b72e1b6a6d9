# server step: applies the journald size cap written to /etc/systemd/journald.conf.d/firstboot.conf
systemctl restart systemd-journald
