// StartProcess, GetProcess, ListProcesses, CloseProcess. Plugin hooks that reach a platform run outside any
// transaction (a slow platform must not hold database locks); their result is applied to the locked row after.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import { failedPrecondition } from "../../../sys/core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../../../sys/core/pagination.js";
import { bearerOf } from "../../../sys/core/authn/principal.js";
import { type GovernanceDeps } from "../deps.js";
import { ProcessEntity } from "../entities.js";
import { type Actor, instanceContext, pluginFailure } from "../instance-context.js";
import { enabledInstance, loadInstance } from "../instances/store.js";
import { splitName } from "../registry.js";
import type { JsonObject, ProcessUpdate } from "../sdk/define-plugin.js";
import { applyProcessUpdate, lockProcess } from "./apply-update.js";
import { FINAL, loadProcess, processToProto, statusFromProto, viewOf } from "./store.js";

type Handlers = Pick<ServiceImpl<typeof GovernanceService>, "startProcess" | "getProcess" | "listProcesses" | "closeProcess">;

const actorOf = (ctx: HandlerContext): Actor => ({ accountId: requirePrincipal(ctx).accountId, bearer: bearerOf(ctx) });

export function createProcessHandlers(deps: GovernanceDeps): Handlers {
  const { db, registry } = deps;
  return {
    async startProcess(req, ctx) {
      const actor = actorOf(ctx);
      const [pluginName, slug] = splitName(req.process);
      const plugin = registry.plugin(pluginName);
      const definition = registry.process(plugin, slug);
      const input = registry.check(definition.input, (req.input ?? {}) as JsonObject, "input");
      const instance = await enabledInstance(db.em(), req.communityId, pluginName, req.instanceId || undefined);
      const now = new Date();
      const id = crypto.randomUUID();
      let started: ProcessUpdate;
      try {
        started = await definition.start(instanceContext(deps, instance, actor), { id, input, outcome: {}, data: {}, createdAt: now });
      } catch (error) {
        // Nothing was written: a failed start leaves no process behind.
        throw pluginFailure(deps, req.process, error);
      }
      const row = await db.em().transactional(async (tx) => {
        const created = tx.create(ProcessEntity, {
          id, communityId: req.communityId, instanceId: instance.id, plugin: pluginName, slug, status: "created",
          input, outcome: {}, errors: {}, data: {}, callbackUrl: req.callbackUrl, createdBy: actor.accountId,
          nextUpdateAt: null, createdAt: now, updatedAt: now,
        });
        await tx.flush();
        await applyProcessUpdate(tx, deps, created, started, { actorId: actor.accountId, now });
        return created;
      });
      deps.wake();
      return { process: processToProto(row) };
    },

    async getProcess(req) {
      return { process: processToProto(await loadProcess(db.em(), req.communityId, req.processId)) };
    },

    async listProcesses(req) {
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown> = { communityId: req.communityId, ...afterCursor(decodeCursor(req.pageToken)) };
      if (req.statuses.length) where.status = { $in: req.statuses.map(statusFromProto) };
      const rows = await db.em().find(ProcessEntity, where, { orderBy: { createdAt: "desc", id: "desc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { processes: page.items.map(processToProto), nextPageToken: page.nextPageToken };
    },

    async closeProcess(req, ctx) {
      const actor = actorOf(ctx);
      const row = await loadProcess(db.em(), req.communityId, req.processId);
      if (FINAL.has(row.status)) return { process: processToProto(row) };
      const instance = await loadInstance(db.em(), req.communityId, row.instanceId);
      if (!instance.enabled) throw failedPrecondition("PLUGIN_NOT_ENABLED", `plugin ${row.plugin} was disabled; its processes were cancelled`);
      const definition = registry.process(registry.plugin(row.plugin), row.slug);
      let closed: ProcessUpdate | void;
      try {
        closed = await definition.close?.(instanceContext(deps, instance, actor), viewOf(row));
      } catch (error) {
        throw pluginFailure(deps, `${row.plugin}.${row.slug}`, error);
      }
      const final = await db.em().transactional(async (tx) => {
        const locked = (await lockProcess(tx, row.id))!;
        await applyProcessUpdate(tx, deps, locked, closed, { actorId: actor.accountId, forceStatus: closed?.status === "failed" ? "failed" : "completed" });
        return locked;
      });
      deps.wake();
      return { process: processToProto(final) };
    },
  };
}
