systemctl enable --now apt-daily.timer apt-daily-upgrade.timer
