install -d -m 0755 /run/sshd
/usr/sbin/sshd -t
systemctl daemon-reload
if systemctl -q is-enabled ssh.socket 2>/dev/null; then
  systemctl restart ssh.socket
  systemctl try-restart ssh.service
else
  systemctl restart ssh.service
fi
