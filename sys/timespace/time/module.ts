// The timespace-time sys module: TimeService, public reference reads over the shared time library (no tables).
import { TimeService } from "../../../clients/src/gen/polity/sys/timespace/v1/time_pb.js";
import { defineModule, service } from "../../core/module.js";
import type { SysContext } from "../../core/sys-context.js";
import { createTimeHandlers } from "./time-handlers.js";

export function createTimeModule() {
  return defineModule<SysContext>({
    id: "timespace-time",
    tier: "sys",
    entities: [],
    migrations: [],
    services: () => [service(TimeService, createTimeHandlers())],
  });
}
