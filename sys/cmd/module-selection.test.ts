// Which mod modules a process runs for `--modules`, which it starts only for their ports, where `moduleUrls`
// forwards the others, and that the path table forwarding and gateways route by covers every module's services
// and HTTP routes (read from the real module instances).
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../core/config.js";
import type { ModContext, PolityModule } from "../core/module.js";
import { forwardTargets, modulesToRun, selectModModules } from "./module-selection.js";
import { createModModuleInstances, MOD_MODULE_IDS, MOD_MODULE_PATHS, type ModModuleId, type ModModuleInstance } from "./modules.js";

describe("selecting mod modules", () => {
  it("serves every module when none is listed", () => {
    expect(selectModModules([])).toEqual({ served: [...MOD_MODULE_IDS], portsOnly: [] });
  });

  it("serves a module without dependencies alone", () => {
    expect(selectModModules(["voting"])).toEqual({ served: ["voting"], portsOnly: [] });
    expect(selectModModules(["disco"])).toEqual({ served: ["disco"], portsOnly: [] });
  });

  it("starts the dependencies of a listed module, transitively and in start order, for their ports only", () => {
    expect(selectModModules(["messaging"])).toEqual({ served: ["messaging"], portsOnly: ["disco", "voting", "governance"] });
    expect(selectModModules(["contributions"])).toEqual({ served: ["contributions"], portsOnly: ["voting", "governance"] });
    expect(selectModModules(["governance", "voting"])).toEqual({ served: ["voting", "governance"], portsOnly: [] });
  });

  it("refuses an unknown module, naming the valid ones", () => {
    const error = (() => {
      try {
        selectModModules(["voting", "votes"]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('invalid configuration:\n  modules (POLITY_MODULES, --modules): unknown module "votes"; the modules are disco, voting, governance, contributions, messaging');
  });
});

describe("running the selection", () => {
  const started: string[] = [];
  const fake = (id: ModModuleId): ModModuleInstance => ({
    id,
    module: {
      id, tier: "mod", entities: [], migrations: [],
      services: () => [{ desc: { typeName: id } as never, impl: {} }],
      routes: () => [{ method: "POST", path: `/api/${id}`, handler: async () => ({ status: 200 }) }],
      start: async () => void started.push(`start ${id}`),
      work: async () => void started.push(`work ${id}`),
    },
    preparePort: () => void started.push(`port ${id}`),
  });
  const instances = MOD_MODULE_IDS.map(fake);
  const ctx = {} as ModContext;

  it("runs the served modules as they are, and their dependencies without services, routes or work", async () => {
    const run = modulesToRun(instances, selectModModules(["governance"]));
    expect(run.map((m) => m.id)).toEqual(["voting", "governance"]);
    const [voting, governance] = run as [PolityModule<ModContext>, PolityModule<ModContext>];
    expect(governance).toBe(instances[2]!.module);
    expect(voting.services(ctx)).toEqual([]);
    expect(voting.routes).toBeUndefined();
    expect(voting.work).toBeUndefined();
    await voting.start!(ctx);
    expect(started).toEqual(["start voting", "port voting"]);
  });
});

describe("forwarding the modules served elsewhere", () => {
  const voting = selectModModules(["voting"]);

  it("targets each module with a URL that this process does not serve, with its paths", () => {
    const targets = forwardTargets({ voting: "http://mod-voting:8080", disco: "http://mod-disco:8080" }, voting);
    expect(targets).toEqual([{ module: "disco", url: "http://mod-disco:8080", prefixes: ["/polity.mod.disco."] }]);
    expect(forwardTargets({}, voting)).toEqual([]);
  });

  it("refuses a URL for an unknown module", () => {
    expect(() => forwardTargets({ discovery: "http://x:1" }, voting)).toThrow(/moduleUrls \(POLITY_MODULE_URLS\): unknown module "discovery"; the modules are disco, voting/);
  });

  it("reads module=url pairs from the environment", () => {
    expect(loadConfig({ env: { POLITY_MODULE_URLS: "disco=http://mod-disco:8080, voting=https://voting.internal" } }).moduleUrls)
      .toEqual({ disco: "http://mod-disco:8080", voting: "https://voting.internal" });
    expect(() => loadConfig({ env: { POLITY_MODULE_URLS: "disco" } })).toThrow(/moduleUrls \(POLITY_MODULE_URLS\): disco: "" is not an http\(s\) URL/);
    expect(() => loadConfig({ env: { POLITY_MODULE_URLS: "disco=ftp://x" } })).toThrow(/is not an http\(s\) URL/);
  });
});

describe("the path table of the real modules", () => {
  // Building services and routes opens nothing: the database is only asked once a call arrives.
  const config = loadConfig({ env: { POLITY_SECRETS_KEY: Buffer.alloc(32, 7).toString("base64") } });
  const db = { kind: "postgres", orm: { config: { get: () => "postgres://127.0.0.1:1/unused" } }, em: () => { throw new Error("no database in this test"); } };
  const ctx = { config, logger: pino({ level: "silent" }), db, authz: {}, directory: {}, jobs: {}, selfUrl: () => "http://127.0.0.1:1" } as unknown as ModContext & { selfUrl(): string };
  const instances = createModModuleInstances();
  afterAll(async () => {
    for (const { module } of instances) await module.stop?.();
  });

  it("lists every module, in the wiring's start order", () => {
    expect(instances.map((i) => i.id)).toEqual([...MOD_MODULE_IDS]);
  });

  it("covers each module's services and HTTP routes, and no path belongs to two modules", () => {
    const owners = (path: string) => MOD_MODULE_IDS.filter((id) => MOD_MODULE_PATHS[id].some((prefix) => path.startsWith(prefix)));
    for (const { id, module } of instances) {
      const paths = [
        ...module.services(ctx).map((r) => `/${r.desc.typeName}/Method`),
        ...(module.routes?.(ctx) ?? []).map((r) => r.path.replace(/:\w+/g, "x")),
      ];
      expect(paths.length, id).toBeGreaterThan(0);
      for (const path of paths) expect(owners(path), path).toEqual([id]);
    }
  });
});
