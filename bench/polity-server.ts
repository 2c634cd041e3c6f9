// Child process of bench/run.ts: the real Polity host (composeHost), as `polityd` runs it, on a free port.
// Logs at info go to /dev/null (the parent ignores stdout) so the per-call log line is paid for, as in production.
import pino from "pino";
import { loadConfig } from "../sys/core/config.js";
import { composeHost } from "../sys/cmd/compose.js";

const [tiers, dataDir, sysUrl] = process.argv.slice(2);
const config = loadConfig({
  env: process.env,
  flags: { port: 0, adminPort: 0, host: "127.0.0.1", tiers, dataDir, ...(sysUrl ? { sysUrl } : {}) },
});
const host = await composeHost({ ...config, serveWeb: false, loginFailuresPerAddress: 1000 }, pino({ level: config.logLevel }));
process.send?.({ port: host.port, url: host.url, adminUrl: host.adminUrl });
process.on("SIGTERM", () => void host.stop().then(() => process.exit(0)));
