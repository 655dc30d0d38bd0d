# syntax=docker/dockerfile:1
# Kunnafoni: Node 20 on Debian slim, Debian's Chromium for WhatsApp, running as a non-root user.

# --- Stage 1: production dependencies (no browser download: .puppeteerrc.cjs skips it) ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .puppeteerrc.cjs ./
# `npm ci` runs the `prepare` script (the build); without sources it does nothing here, the build is done below.
COPY scripts/build.mjs scripts/source-stamp.mjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- Stage 2: the bot ---
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-noto-core ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
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
RUN node scripts/build.mjs \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tini forwards SIGTERM so the bot shuts down gracefully and Chromium is reaped.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/kunnafoni.js", "start"]
