systemctl daemon-reload
systemctl enable --now firstboot-floating-ip.service
