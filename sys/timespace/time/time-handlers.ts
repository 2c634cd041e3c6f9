// TimeService: the time library over the API. Handlers only convert messages; every rule lives in the library.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  Disambiguation as DisambiguationEnum,
  LocalTimeKind,
  LocalTimeSchema,
  type TimeService,
  ZoneSchema,
} from "../../../clients/src/gen/polity/sys/timespace/v1/time_pb.js";
import { timeFunctions as time } from "./index.js";
import { withTimeErrors } from "./rpc-errors.js";
import type { Disambiguation } from "./time-functions.js";

const DEFAULT_OCCURRENCES = 100;
const KINDS = { exact: LocalTimeKind.EXACT, gap: LocalTimeKind.GAP, overlap: LocalTimeKind.OVERLAP } as const;

export function createTimeHandlers(): ServiceImpl<typeof TimeService> {
  return {
    listZones(req) {
      const at = dateOr(req.at);
      const needle = req.filter.trim().toLowerCase().replaceAll(" ", "_");
      const names = time.listZones().filter((name) => name.toLowerCase().includes(needle));
      return { zones: names.map((name) => zoneMessage(name, at)) };
    },
    getZone(req) {
      return withTimeErrors(() => ({
        zone: zoneMessage(req.name, dateOr(req.at)),
        transitions: req.transitionsFrom && req.transitionsTo
          ? time.transitions(req.name, timestampDate(req.transitionsFrom), timestampDate(req.transitionsTo)).map((t) => ({
            at: timestampFromDate(t.at),
            offsetBeforeMinutes: Math.round(t.offsetBeforeMinutes),
            offsetAfterMinutes: Math.round(t.offsetAfterMinutes),
          }))
          : [],
      }));
    },
    convertLocalTime(req) {
      return withTimeErrors(() => {
        const disambiguation = disambiguationOf(req.disambiguation) ?? "reject";
        const resolved = time.localToInstant(req.localTime, req.zone, disambiguation);
        // Both readings, whatever was chosen, so a caller sees what the other choice would have given.
        const [earlier, later] = resolved.kind === "exact"
          ? [resolved.instant, resolved.instant]
          : (["earlier", "later"] as const).map((d) => time.localToInstant(req.localTime, req.zone, d).instant);
        return {
          instant: timestampFromDate(resolved.instant),
          kind: KINDS[resolved.kind],
          offsetMinutes: Math.round(resolved.offsetMinutes),
          earlier: timestampFromDate(earlier!),
          later: timestampFromDate(later!),
          converted: req.toZone ? localMessage(resolved.instant, req.toZone) : undefined,
        };
      });
    },
    convertInstant(req) {
      return withTimeErrors(() => ({ local: localMessage(timestampDate(req.instant!), req.zone) }));
    },
    expandRecurrence(req) {
      return withTimeErrors(() => {
        const occurrences = time.expandRecurrence({
          rrule: req.rrule,
          start: req.start,
          zone: req.zone,
          from: timestampDate(req.from!),
          to: timestampDate(req.to!),
          limit: req.limit || DEFAULT_OCCURRENCES,
          disambiguation: disambiguationOf(req.disambiguation),
        });
        return {
          occurrences: occurrences.map((at) => {
            const local = time.instantToLocal(at, req.zone);
            return { at: timestampFromDate(at), localTime: local.local, offsetMinutes: Math.round(local.offsetMinutes) };
          }),
        };
      });
    },
    checkQuietHours(req) {
      return withTimeErrors(() => {
        const at = dateOr(req.at);
        const window = { start: req.quietHours!.start, end: req.quietHours!.end };
        const next = time.nextOutsideQuiet(at, req.zone, window);
        return {
          quiet: time.isQuiet(at, req.zone, window),
          nextAllowed: timestampFromDate(next),
          atLocal: localMessage(at, req.zone),
          nextAllowedLocal: localMessage(next, req.zone),
        };
      });
    },
  };
}

function dateOr(at: Timestamp | undefined): Date {
  return at ? timestampDate(at) : new Date();
}

function disambiguationOf(value: DisambiguationEnum): Disambiguation | undefined {
  if (value === DisambiguationEnum.EARLIER) return "earlier";
  if (value === DisambiguationEnum.LATER) return "later";
  if (value === DisambiguationEnum.REJECT) return "reject";
  return undefined;
}

function zoneMessage(name: string, at: Date) {
  const info = time.zoneAt(name, at);
  return create(ZoneSchema, { ...info, offsetMinutes: Math.round(info.offsetMinutes) });
}

function localMessage(instant: Date, zone: string) {
  const local = time.instantToLocal(instant, zone);
  return create(LocalTimeSchema, { localTime: local.local, zone, offsetMinutes: Math.round(local.offsetMinutes), abbreviation: local.abbreviation });
}
