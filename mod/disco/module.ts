// mod-disco: people discover organisations, projects and campaigns to join; survey projects ask what people
// can give (supply) and what they need (demand); campaigns act once enough people have pledged.
import { Code } from "@connectrpc/connect";
import { apiError } from "../../sys/core/errors.js";
import { defineModule, type ModContext } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import type { DiscoArea } from "./area.js";
import { campaignsArea } from "./campaigns/area.js";
import type { DiscoDeps } from "./deps.js";
import { createDiscoPort, type DiscoPort } from "./port.js";
import { discoveryArea } from "./discovery/area.js";
import { listingsArea } from "./listings/area.js";
import { statisticsArea } from "./statistics/area.js";
import { surveysArea } from "./surveys/area.js";

const AREAS: DiscoArea[] = [listingsArea, surveysArea, discoveryArea, statisticsArea, campaignsArea];

export function createDiscoModule() {
  let deps: DiscoDeps | undefined;
  const stops: Array<() => Promise<void> | void> = [];

  const depsFor = (ctx: ModContext): DiscoDeps => {
    if (deps) return deps;
    const notifier = createNotifier(ctx.db, ctx.logger);
    stops.push(() => notifier.close());
    const built: DiscoDeps = {
      db: ctx.db,
      config: ctx.config,
      logger: ctx.logger.child({ module: "disco" }),
      authz: ctx.authz,
      directory: ctx.directory,
      timespace: () => {
        if (!ctx.timespace) throw apiError(Code.Unavailable, "TIMESPACE_UNAVAILABLE", "this server has no places or time service");
        return ctx.timespace;
      },
      time: ctx.timespace?.time ?? timeFunctions,
      notifier,
      jobs: ctx.jobs,
      metrics: ctx.metrics,
      async pledgesChanged(tx, change) {
        for (const area of AREAS) await area.onPledgesChanged?.(built, tx, change);
      },
    };
    deps = built;
    return built;
  };

  return {
    ...defineModule<ModContext>({
      id: "disco",
      tier: "mod",
      entities: AREAS.flatMap((a) => a.entities) as never[],
      migrations: AREAS.flatMap((a) => a.migrations),
      services: (ctx) => AREAS.flatMap((a) => a.services?.(depsFor(ctx)) ?? []),
      routes: (ctx) => AREAS.flatMap((a) => a.routes?.(depsFor(ctx)) ?? []),
      async work(ctx) {
        // A worker-only process serves no RPCs: its port (messaging follows crossings) still needs the deps.
        depsFor(ctx);
        for (const area of AREAS) if (area.work) stops.unshift(await area.work(depsFor(ctx)));
      },
      async stop() {
        for (const stop of stops.splice(0)) await stop();
        deps = undefined;
      },
    }),
    /** Builds the shared parts without serving (tests). */
    depsFor,
    /** What other modules of the tier follow (messaging: campaign threshold crossings); ready once started. */
    port(): DiscoPort {
      if (!deps) throw new Error("the disco module has not started: its port is not ready");
      return createDiscoPort(deps);
    },
  };
}
