// The places module: reference geography (countries, subdivisions, cities) in the sys schema, served by PlaceService
// and read by the mod tier through the timespace port. With timespaceAutoLoad, an empty or half-loaded dataset is
// loaded in the background after start: start-up and readiness never wait for it.
import { PlaceService } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { defineModule, service } from "../../core/module.js";
import type { SysContext } from "../../core/sys-context.js";
import { placesEntities } from "./entities.js";
import { createGeoIp, type GeoIp } from "./geoip.js";
import { createPlaceHandlers } from "./handlers.js";
import { startBackgroundLoad } from "./loader.js";
import { placesMigrations } from "./migrations/index.js";

export function createPlacesModule() {
  let background: { stop(): Promise<void> } | undefined;
  let geoip: GeoIp | undefined;
  return defineModule<SysContext>({
    id: "timespace-places",
    tier: "sys",
    entities: placesEntities,
    migrations: placesMigrations,
    services: (ctx) => {
      geoip ??= createGeoIp(ctx.config, ctx.logger);
      return [service(PlaceService, createPlaceHandlers(ctx.db, geoip))];
    },
    async start(ctx) {
      if (ctx.config.timespaceAutoLoad) background = startBackgroundLoad(ctx.db, ctx.logger.child({ component: "timespace-load" }));
    },
    async stop() {
      await background?.stop();
      await geoip?.close();
    },
  });
}
