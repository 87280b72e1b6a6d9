# firstboot without a local Node.js:
#   docker build -t firstboot .
#   docker run --rm -it -v "$PWD:/work" -v "$HOME/.config/firstboot:/root/.config/firstboot:ro" firstboot render -o user-data.yaml
# preview needs qemu and is meant to run on the host; the image carries ssh for build-image/up/replace.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client age ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY snippets ./snippets
COPY images ./images
COPY vendor ./vendor
WORKDIR /work
ENTRYPOINT ["node", "/app/bin/firstboot.js"]
CMD ["--help"]
