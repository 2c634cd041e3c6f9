// The timespace port of a mod-only process: PlaceService calls to sys (places are public: no credential), and the
// same time library as in one process, so converting a time never leaves the process.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { type Place, PlaceKind as ProtoKind, PlaceService } from "../../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { timeFunctions } from "../../timespace/time/index.js";
import { createSysTransport, sysUnavailable } from "./remote-authorization.js";
import type { PlaceKind, PlaceRecord, TimespacePort } from "./timespace-port.js";

export interface RemoteTimespaceOptions {
  sysUrl: string;
  logger: Logger;
  timeoutMs?: number;
  tracer?: Tracer;
}

const GET_BATCH = 500; // GetPlaces' own maximum
const PLACE_ID = /^[A-Za-z0-9:-]{2,40}$/;

function recordOf(p: Place): PlaceRecord {
  return {
    id: p.id,
    kind: ProtoKind[p.kind].toLowerCase() as PlaceKind,
    name: p.name,
    countryId: p.countryId,
    countryName: p.countryName,
    ...(p.subdivisionId ? { subdivisionId: p.subdivisionId, subdivisionName: p.subdivisionName } : {}),
    latitude: p.latitude,
    longitude: p.longitude,
    ...(p.population ? { population: Number(p.population) } : {}),
    ...(p.timeZone ? { timeZone: p.timeZone } : {}),
  };
}

export function createRemoteTimespace(options: RemoteTimespaceOptions): TimespacePort & { close(): Promise<void> } {
  const { sysUrl, logger } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const { session, transport } = createSysTransport(sysUrl, false, options.tracer);
  const client = createClient(PlaceService, transport);

  /** Unreachable sys is Unavailable/SYS_UNAVAILABLE, like the other ports; sys's own answers pass as it said them. */
  function fail(error: unknown): never {
    const ce = ConnectError.from(error);
    if (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) {
      logger.warn({ err: ce, sysUrl }, "timespace call to sys failed");
      throw sysUnavailable();
    }
    throw ce;
  }

  return {
    async getPlaces(ids, language) {
      // As in one process: ids that cannot be places are unknown, not a refused batch.
      const valid = [...new Set(ids.filter((id) => PLACE_ID.test(id)))];
      const found: PlaceRecord[] = [];
      try {
        for (let i = 0; i < valid.length; i += GET_BATCH) {
          const { places } = await client.getPlaces({ ids: valid.slice(i, i + GET_BATCH), language }, { timeoutMs });
          found.push(...places.map(recordOf));
        }
      } catch (error) {
        fail(error);
      }
      return found;
    },

    async nearestAmong(origin, candidates, radiusKm) {
      const request = {
        origin: { origin: typeof origin === "string" ? { case: "placeId" as const, value: origin } : { case: "point" as const, value: origin } },
        candidateIds: [...new Set(candidates.filter((id) => PLACE_ID.test(id)))],
        radiusKm,
      };
      try {
        const { places } = await client.nearestAmong(request, { timeoutMs });
        return places.map((p) => ({ placeId: p.placeId, distanceKm: p.distanceKm }));
      } catch (error) {
        fail(error);
      }
    },

    time: timeFunctions,

    async close() {
      session.abort();
    },
  };
}
