# firstboot without a local Node.js. Build: docker build -t firstboot .
# Run it as yourself, so what it writes in your folder is yours (README "Install" has the lines):
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" \
#     -v "$HOME/.config/firstboot:/home/firstboot/.config/firstboot" \
#     --mount type=bind,src="$HOME/.config/firstboot/identity.txt",dst=/home/firstboot/.config/firstboot/identity.txt,readonly \
#     -e HCLOUD_TOKEN firstboot validate
# The firstboot folder is writable because up/replace pin each server's host key in its
# known_hosts; the identity on top of it is read-only. preview needs qemu and runs on the host.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build.mjs scripts/precompile-snippets.mjs scripts/zod-locales.mjs ./scripts/
COPY bin ./bin
COPY src ./src
COPY snippets ./snippets
# As `npm run build` does: one bundle that holds every dependency (the final stage needs no
# node_modules), the precompiled snippets and the help text.
RUN node scripts/build.mjs

FROM node:20-bookworm-slim
# ssh for up/replace/status, age for secrets, nano for `secrets edit`, nss_wrapper for any uid.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client age ca-certificates nano libnss-wrapper \
 && rm -rf /var/lib/apt/lists/*
# Any uid may write under HOME (the sticky bit keeps users apart, as in /tmp); the mounts above
# land in .config/firstboot, which is where firstboot looks by default.
ENV HOME=/home/firstboot EDITOR=nano
RUN mkdir -p /home/firstboot/.config/firstboot && chmod 1777 /home/firstboot /home/firstboot/.config /home/firstboot/.config/firstboot
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY snippets ./snippets
COPY images ./images
COPY vendor ./vendor
COPY docker/entrypoint.sh /usr/local/bin/firstboot-entrypoint
WORKDIR /work
USER node
ENTRYPOINT ["/usr/local/bin/firstboot-entrypoint"]
CMD ["--help"]
