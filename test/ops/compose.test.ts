// compose.yaml and its files (.env.example, deploy/compose/): the Compose specification's JSON schema and
// dclint's rules, every variable it reads documented in .env.example and no other, each polityd service's
// settings loaded as polityd would load them, the start order, the drain time, and the gateway's nginx routes
// (the routing table's, to compose services on the ports they listen on).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { DCLinter } from "dclint";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../sys/core/forwarding/routing-table.js";
import { repoRoot } from "../support/server.js";
import { composeStrings, type ComposeService, interpolate, readCompose, references } from "./compose-file.js";
import { imageEnv, isKnownEnv, politydConfig } from "./polity-config.js";

const composePath = join(repoRoot, "compose.yaml");
const example = parseEnv(readFileSync(join(repoRoot, ".env.example"), "utf8")) as Record<string, string>;
// What an operator fills in before the first `docker compose up`.
const filled: Record<string, string> = { ...example, POSTGRES_PASSWORD: "a long database password", POLITY_SECRETS_KEY: Buffer.alloc(32, 7).toString("base64") };
const compose = readCompose(composePath, filled);
const services = Object.entries(compose.services);
const polity = services.filter(([, s]) => s.image === filled.POLITY_IMAGE);
const config = (s: ComposeService) => politydConfig({ ...imageEnv(), ...s.environment }, s.command ?? []);
const byTiers = (tiers: string) => polity.find(([, s]) => config(s).subcommand === undefined && config(s).tiers.join(",") === tiers);
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);

describe("compose.yaml", () => {
  it("passes the Compose specification's schema and dclint's rules", () => {
    // dclint runs every rule not turned off. Style rules (key and service order, quote style) are off; the
    // port-interface rule cannot read an interpolated address, so a test below checks the published address.
    const off = ["require-quotes-in-ports", "service-dependencies-alphabetical-order", "service-keys-order", "service-ports-alphabetical-order",
      "services-alphabetical-order", "top-level-properties-order", "no-unbound-port-interfaces"];
    const on = ["no-build-and-image", "no-duplicate-container-names", "no-duplicate-exported-ports", "no-quotes-in-volumes",
      "no-version-field", "require-project-name-field", "service-container-name-regex", "service-image-require-explicit-tag"];
    const rules = Object.fromEntries([...off.map((rule) => [rule, 0]), ...on.map((rule) => [rule, 2])]);
    const [result] = new DCLinter({ rules, quiet: false, debug: false, exclude: [] }).lintFiles([composePath], false);
    expect(result.messages.map((m: { line: number; rule: string; message: string }) => `${m.line}: ${m.rule}: ${m.message}`)).toEqual([]);
  });

  it("reads only variables .env.example documents, and .env.example names none it does not read", () => {
    const used = new Set(composeStrings(composePath).flatMap(references));
    expect([...used].sort()).toEqual(Object.keys(example).sort());
  });

  it("stops with the variable's name when a required secret is not filled in", () => {
    expect(() => readCompose(composePath, example)).toThrow(/POSTGRES_PASSWORD|POLITY_SECRETS_KEY/);
    expect(() => readCompose(composePath, { ...filled, POLITY_SECRETS_KEY: "" })).toThrow(/POLITY_SECRETS_KEY.*openssl rand -base64 32/);
    expect(interpolate("$${literal} ${UNSET-fallback} ${EMPTY:-fallback} ${EMPTY-kept}", { EMPTY: "" })).toBe("${literal} fallback fallback ");
  });

  it("pins every image to a version", () => {
    for (const [name, service] of services) expect(service.image, name).toMatch(/^[\w./-]+:(?!latest$|stable$)[\w.-]+$/);
  });

  it("gives every polityd service settings polityd loads, and names only keys it reads", () => {
    expect(polity.map(([name]) => name).sort()).toEqual(["migrate", "mod", "sys", "worker"]);
    for (const [name, service] of polity) {
      for (const key of Object.keys(service.environment)) expect(isKnownEnv(key), `${name}: ${key}`).toBe(true);
      expect(() => config(service), name).not.toThrow();
      expect(config(service).adminHost).toBe("0.0.0.0");
      expect(service, name).toMatchObject({ read_only: true, cap_drop: ["ALL"], security_opt: ["no-new-privileges:true"], tmpfs: ["/tmp"] });
      expect(seconds(service.stop_grace_period) * 1000, `${name} drains before compose kills it`).toBeGreaterThan(config(service).shutdownGraceMs);
    }
  });

  it("migrates once, then starts sys, then mod and the worker on sys's URL", () => {
    const [, migrate] = polity.find(([, s]) => config(s).subcommand === "migrate")!;
    expect(migrate.restart).toBe("no");
    const [sysName, sys] = byTiers("sys")!;
    expect(Object.values(sys.depends_on)).toContainEqual({ condition: "service_completed_successfully" });
    for (const tiers of ["mod", "worker"]) {
      const [name, service] = byTiers(tiers)!;
      const url = new URL(config(service).sysUrl!);
      expect(url.hostname, name).toBe(sysName);
      expect(Number(url.port), name).toBe(config(sys).port);
      expect(service.depends_on[sysName]).toEqual({ condition: "service_healthy" });
    }
    expect(byTiers("mod")![1].deploy.replicas).toBeGreaterThanOrEqual(2);
  });

  it("keeps the database in PostgreSQL 16 with a volume and a healthcheck, reached with its own credentials", () => {
    const postgres = compose.services.postgres;
    expect(postgres.image).toMatch(/^postgres:16\b/);
    expect(postgres.healthcheck.test).toContain("pg_isready");
    expect(postgres.volumes.map((v: string) => v.split(":")[0])).toEqual(Object.keys(compose.volumes));
    for (const [name, service] of polity) {
      const url = new URL(service.environment.DATABASE_URL);
      expect([url.hostname, url.username, decodeURIComponent(url.password), url.pathname], name).toEqual(["postgres", postgres.environment.POSTGRES_USER, filled.POSTGRES_PASSWORD, `/${postgres.environment.POSTGRES_DB}`]);
    }
  });

  it("trusts as proxies exactly the network its services share", () => {
    const subnets = Object.values(compose.networks).flatMap((n) => n.ipam.config.map((c: { subnet: string }) => c.subnet));
    for (const [name, service] of polity) {
      expect(config(service).trustedProxies, name).toEqual(subnets);
      expect(service.networks, name).toEqual(Object.keys(compose.networks));
    }
  });

  it("publishes only the gateway, on loopback unless asked", () => {
    const published = services.filter(([, s]) => s.ports);
    expect(published.map(([name]) => name)).toEqual(["gateway"]);
    expect(published[0][1].ports).toEqual(["127.0.0.1:8080:8080"]);
    expect(readCompose(composePath, { ...filled, POLITY_BIND_ADDRESS: "0.0.0.0" }).services.gateway.ports).toEqual(["0.0.0.0:8080:8080"]);
  });

  it("runs the OpenTelemetry collector only under the otel profile, where .env.example says to send spans", () => {
    const withProfiles = services.filter(([, s]) => s.profiles);
    expect(withProfiles.map(([name, s]) => [name, s.profiles])).toEqual([["otel-collector", ["otel"]]]);
    const collector = readFileSync(join(repoRoot, "deploy", "compose", "otel-collector.yaml"), "utf8");
    const port = /endpoint: 0\.0\.0\.0:(\d+)/.exec(collector)![1];
    expect(compose.services["otel-collector"].expose).toEqual([port]);
    expect(readFileSync(join(repoRoot, ".env.example"), "utf8")).toContain(`http://otel-collector:${port}`);
    const [, mounted] = /^\.\/(.+):(.+):ro$/.exec(compose.services["otel-collector"].volumes[0])!;
    expect(mounted).toBe("deploy/compose/otel-collector.yaml");
  });
});

describe("the compose gateway's nginx.conf", () => {
  const [, mountedConf] = /^\.\/(.+):\/etc\/nginx\/nginx\.conf:ro$/.exec(compose.services.gateway.volumes[0])!;
  const conf = readFileSync(join(repoRoot, mountedConf), "utf8");
  const upstreams = Object.fromEntries([...conf.matchAll(/upstream (\w+) \{([^}]*)\}/g)].map((m) => [m[1], [...m[2].matchAll(/server ([\w.-]+):(\d+)/g)].map((s) => ({ host: s[1], port: Number(s[2]) }))]));
  const tierOfUpstream = (name: string) => {
    const hosts = upstreams[name].map((s) => s.host);
    return hosts.map((host) => config(compose.services[host]).tiers.join(","));
  };

  it("is the file compose mounts, on an nginx that re-resolves upstreams and tells HTTP/1.1 from h2c", () => {
    expect(mountedConf).toBe("deploy/compose/nginx.conf");
    const [major, minor, patch] = compose.services.gateway.image.split(":")[1].split(/[.-]/).map(Number);
    expect(major * 1e6 + minor * 1e3 + (patch || 0), "resolve in upstreams: nginx 1.27.3").toBeGreaterThanOrEqual(1_027_003);
    expect(conf).toMatch(/^\s*http2 on;/m);
    expect(conf).toMatch(/^\s*listen 8080;/m);
  });

  it("sends each prefix of the routing table to its tier, gRPC and HTTP alike", () => {
    const locations = [...conf.matchAll(/location (\^~|=)? ?(\S+) \{([^}]*(?:\{[^}]*\}[^}]*)?)\}/g)].map((m) => ({
      exact: m[1] === "=", path: m[2], upstreams: [...m[3].matchAll(/(?:grpc|http):\/\/(\w+)/g)].map((u) => u[1]),
    }));
    expect(locations).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const location = locations.find((l) => l.path === route.prefix && l.exact === Boolean(route.exact));
      expect(location, `a location for ${route.prefix}`).toBeDefined();
      for (const upstream of location!.upstreams) expect(tierOfUpstream(upstream), `${route.prefix} via ${upstream}`).toEqual([route.tier]);
    }
  });

  it("reaches compose services on the port they serve", () => {
    for (const [name, servers] of Object.entries(upstreams)) {
      for (const server of servers) {
        const service = compose.services[server.host];
        expect(service, `${name}: ${server.host}`).toBeDefined();
        expect(server.port).toBe(config(service).port);
        expect(compose.services.gateway.depends_on[server.host]).toEqual({ condition: "service_healthy" });
      }
    }
  });

  it("is the edge: the client's address replaces any X-Forwarded-For it sent", () => {
    expect(conf).not.toContain("$proxy_add_x_forwarded_for");
    expect(conf).toMatch(/grpc_set_header X-Forwarded-For \$remote_addr;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
  });
});
