# syntax=docker/dockerfile:1.7
# Polity's server image: `docker build -t polity:local .`
#
# The build stage installs every dependency without running install scripts (the `node` package's script would
# download a second Node; the image runs on the base image's Node 22; the project's prepare script only serves
# development), runs `npm run build` (the server as JavaScript in dist/, with the web GUI and the compiled tally
# engine beside it), then drops the dev dependencies. The runtime stage holds dist/ and the production
# node_modules only, runs as uid 10001 under tini, and listens on 8080 (gRPC, gRPC-Web, Connect, the web GUI,
# /healthz, /readyz) and 9464 (the admin listener: /metrics, /healthz, /readyz).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY clients/package.json clients/package.json
COPY clients/tally/package.json clients/tally/package.json
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build
# The workspace links (@polity/client, @polity/tally) point at sources the image does not hold; the compiled
# server resolves dist/node_modules/@polity/tally instead.
RUN npm prune --omit=dev --ignore-scripts && rm -rf node_modules/@polity

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to polityd (which drains for POLITY_SHUTDOWN_GRACE_MS) and reaps children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 polity \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin polity \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/polity \
 && ln -s /app/bin/polityd-prod /usr/local/bin/polityd
WORKDIR /app
LABEL org.opencontainers.image.title="polity" \
      org.opencontainers.image.description="Polity server (polityd): sys, mod and worker tiers" \
      org.opencontainers.image.licenses="Apache-2.0"
# Inside a container both listeners must face the container's network; the embedded database (used only when no
# DATABASE_URL is set) lives in /var/lib/polity, a volume's place.
ENV NODE_ENV=production \
    POLITY_HOST=0.0.0.0 \
    POLITY_ADMIN_HOST=0.0.0.0 \
    POLITY_DATA_DIR=/var/lib/polity
# Owned by root and not writable by the server's user: the code cannot be changed by the process running it.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/polity-entrypoint
# polityd on PATH (linked above), so `docker exec … polityd doctor` runs what the entrypoint runs.
COPY --chmod=0755 bin/polityd-prod /app/bin/polityd-prod
COPY --chmod=0755 deploy/docker/healthcheck.mjs /usr/local/bin/polity-healthcheck
USER 10001:10001
EXPOSE 8080 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["polity-healthcheck"]
# -g: a signal reaches the whole process group, so `polityd migrate` run by the entrypoint stops too.
ENTRYPOINT ["tini", "-g", "--", "polity-entrypoint"]
CMD []
