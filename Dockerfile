# Production image: Node 24 LTS, production dependencies only, non-root, external PostgreSQL.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY ui ./ui
# TypeScript to dist/, and the web interface's Sass to ui/public/app.css.
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/var/lib/vep RULE_SETS_DIR=/app/rule-sets \
    CHROMIUM_PATH=/usr/bin/chromium
# Debian's Chromium renders PDFs (playwright-core drives it; no browser download).
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation2 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: no embedded PostgreSQL (a development dependency), no install scripts.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Templates, scripts and images are read at run time from ui/, beside the compiled stylesheet.
COPY --from=build /app/ui/views ./ui/views
COPY --from=build /app/ui/public ./ui/public
COPY --from=build /app/ui/assets/js ./ui/assets/js
COPY --from=build /app/ui/assets/images ./ui/assets/images
COPY rule-sets ./rule-sets
RUN mkdir -p /var/lib/vep && chown node:node /var/lib/vep
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
