# syntax=docker/dockerfile:1
# Kunnafoni: Node 24 LTS on Debian 12 (bookworm) slim, running as the non-root `node` user.
# Debian's Chromium (for WhatsApp) is installed only with `--build-arg WHATSAPP=true`; docker-compose.yml passes
# WHATSAPP_ENABLED from .env here, so `docker compose up -d --build` builds the image the configuration needs.
# ffmpeg is always installed: the console converts uploaded recordings (mp3, m4a, wav) to OGG/Opus voice notes.
#   without WhatsApp: about 400 MB;  with WhatsApp: about 1.1 GB (Chromium and its libraries: about 700 MB).
# Everything is pinned. When a build stops on "Version '…' for '…' was not found" (Debian replaced a package with
# its security update), read the current version and put it below:
#   docker run --rm node:24.22.3-bookworm-slim sh -c 'apt-get update -qq && apt-cache policy chromium'
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- Stage 1: production dependencies (no browser download: .puppeteerrc.cjs skips it) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .puppeteerrc.cjs ./
# `npm ci` runs the `prepare` script (the build); without sources it does nothing here, the build is done below.
COPY scripts/build.mjs scripts/source-stamp.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- Stage 2: the bot ---
FROM ${NODE_IMAGE}
# Versions of Debian bookworm's packages (apt-cache policy, 1 Dec 2026).
ARG CA_CERTIFICATES_VERSION=20250419~deb12u2
ARG TINI_VERSION=0.19.0-1+b3
ARG CHROMIUM_VERSION=156.0.8078.114-1~deb12u1
ARG FONTS_NOTO_CORE_VERSION=20201225-1
ARG FFMPEG_VERSION=7:5.1.9-0+deb12u1
# true (or 1, yes) to install Chromium for WhatsApp.
ARG WHATSAPP=false
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    ca-certificates="${CA_CERTIFICATES_VERSION}" tini="${TINI_VERSION}" \
    ffmpeg="${FFMPEG_VERSION}" \
  && rm -rf /var/lib/apt/lists/*
RUN case "${WHATSAPP}" in \
    true | 1 | yes) \
      apt-get update \
      && apt-get install -y --no-install-recommends \
        chromium="${CHROMIUM_VERSION}" chromium-common="${CHROMIUM_VERSION}" \
        fonts-noto-core="${FONTS_NOTO_CORE_VERSION}" \
      && rm -rf /var/lib/apt/lists/* ;; \
    false | 0 | no | '') echo "no Chromium: this image runs without WhatsApp (build with WHATSAPP=true for it)" ;; \
    *) echo "WHATSAPP must be true or false, not '${WHATSAPP}'" >&2; exit 1 ;; \
  esac
# What the image needs. docker-compose.yml sets the same four in `environment:`, which wins over .env.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    KUNNAFONI_DATA_DIR=/data \
    WHATSAPP_CHROMIUM_PATH=/usr/bin/chromium
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json .puppeteerrc.cjs tsconfig.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY flows ./flows
COPY content ./content
COPY locales ./locales
COPY schema ./schema
# Bundle the sources into dist/ (esbuild, installed with tsx): the bot starts from plain JavaScript. Built here, in
# the image's own copy of src/, so bin/kunnafoni.js finds the bundle up to date with the sources it sits beside.
# /data is the volume: the private Redis when there is no REDIS_URL, and WhatsApp's pairing (/data/whatsapp/...).
RUN node scripts/build.mjs \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness: the process answers and Redis too (/healthz/ready tells which channels are connected).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tini forwards SIGTERM so the bot shuts down gracefully and Chromium is reaped.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/kunnafoni.js", "start"]
