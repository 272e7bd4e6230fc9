# crocetta's container image. `docker compose up -d --build` builds it and runs it beside drachtio-server
# (docker-compose.yml); alone: `docker build -t crocetta .` then
#   docker run -d --network host -v crocetta-data:/data -e DRACHTIO_SECRET=... -e PBX_URI=sip:192.168.1.10 crocetta
#
# The build stage runs the commands CI runs on a clean clone (npm ci, npm run build), then drops the development
# packages; the runtime stage holds only what `node dist/src/main.js` reads, and runs as the unprivileged `node`
# user. Ports: the panel, JSON API, /healthz, /readyz and /metrics on PANEL_PORT (3000/tcp); announcements send
# RTP from media.rtpPorts (RTP_PORTS, 20000-20999/udp): run with host networking (as docker-compose.yml does) or
# publish that range. SIP itself is drachtio-server's (5060), not this container's.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# sqlite3 is a native module: its install compiles it (node-gyp) when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CROCETTA_DB=/data/crocetta.sqlite \
    PANEL_HOST=0.0.0.0 \
    PANEL_PORT=3000
WORKDIR /app
# Owned by root, read-only for the service: it writes only to /data.
COPY package.json ./
COPY config ./config
COPY assets ./assets
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The register (SQLite, with its -wal and -shm files) lives on a volume; a new named volume takes this owner.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000/tcp
# Slim images have no curl: Node itself asks /healthz (the process is up; /readyz also wants drachtio connected).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PANEL_PORT||3000,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# Node handles SIGTERM itself: crocetta stops taking calls, flushes the register and closes (docker stop waits 10 s).
CMD ["node", "dist/src/main.js"]
