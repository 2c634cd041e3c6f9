#!/usr/bin/env node
// The image's HEALTHCHECK (slim images have no curl): GET /healthz on polityd's admin listener. Exits 0 on a 2xx
// answer, 1 on any other status, a refused connection or no answer within the timeout; the reason goes to stderr,
// which `docker inspect` shows in the container's health log.
const port = process.env.POLITY_ADMIN_PORT || "9464";
const timeoutMs = Number(process.env.POLITY_HEALTHCHECK_TIMEOUT_MS) || 3000;
const url = `http://127.0.0.1:${port}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) console.error(`${url}: HTTP ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${error?.cause?.code ?? error?.name ?? "failed"}`);
  process.exit(1);
}
