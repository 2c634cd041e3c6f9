// AuthzService: the decision engine on the wire (Check, CheckBatch, Explain) plus roles, bindings and the audit
// log. The interceptor has already checked each RPC's own rule; handlers parse, call the engine, reply.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  AuditEventSchema,
  AuthzService,
  DecisionSchema,
  ExplainedBindingSchema,
  type Question,
  RoleBindingSchema,
  RoleSchema,
} from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { Account } from "../account/index.js";
import { principalOf, requirePrincipal } from "../core/authn/principal.js";
import { permissionDenied } from "../core/errors.js";
import type { AccessDecision, AccessQuestion } from "../core/ports/authorization-port.js";
import type { RoleBindingRecord, SysContext } from "../core/sys-context.js";
import { resolveAuditNames } from "./audit-names.js";
import { createEmailVisibility } from "./email-privacy.js";
import { listAuditEvents, listMembers } from "./listing.js";
import { ROLES } from "./roles.js";

// Anyone, signed in or not, may call Check: the platform makes sys.authz.check public (the handler still limits
// whom a caller may ask about). Registered on the host's engine by the service that offers Check.
const PUBLIC_ON_PLATFORM: ReadonlySet<string> = new Set(["sys.authz.check"]);

/** Held by platform.superadmin and platform.ops: ask Check about principals other than oneself. */
export const CHECK_ANY_PERMISSION = "sys.authz.check_any";

const toDecision = (d: AccessDecision) =>
  create(DecisionSchema, { allowed: d.allowed, reason: d.reason, grantedByRole: d.grantedByRole ?? "", grantedOnResource: d.grantedOnResource ?? "" });

const toQuestion = (q: Question | undefined): AccessQuestion => ({
  principalId: q?.principalId ?? "",
  permission: q?.permission ?? "",
  resource: q?.resource ?? "",
  allowRestricted: q?.allowRestricted ?? false,
});

export function createAuthzService(ctx: SysContext): ServiceImpl<typeof AuthzService> {
  const { engine, db } = ctx;
  engine.publicPermissions.register("platform", async () => PUBLIC_ON_PLATFORM);
  const mayReadEmails = createEmailVisibility(engine);

  // Everyone may ask about themselves (the mod tier forwards the caller's own token) and about the anonymous
  // principal; a caller without a token only about the latter. Asking about someone else reveals their roles,
  // so it takes a platform role.
  async function allowQuestions(hc: HandlerContext, questions: AccessQuestion[]): Promise<void> {
    const caller = principalOf(hc);
    if (questions.every((q) => q.principalId === "" || q.principalId === caller?.accountId)) return;
    if (!caller) throw permissionDenied("CHECK_OTHERS_DENIED", "without a token, only the anonymous principal can be asked about");
    const decision = await engine.check({ principalId: caller.accountId, permission: CHECK_ANY_PERMISSION, resource: "platform" });
    if (!decision.allowed) throw permissionDenied("CHECK_OTHERS_DENIED", "only platform roles may ask about other principals");
  }

  async function toBinding(record: RoleBindingRecord, callerId: string) {
    const account = await db.em().findOne(Account, { id: record.accountId }, { fields: ["email", "displayName"] });
    const withEmail = await mayReadEmails(callerId, record.resource);
    return create(RoleBindingSchema, {
      ...record,
      createdAt: timestampFromDate(record.createdAt),
      accountEmail: withEmail ? (account?.email ?? "") : "",
      accountDisplayName: account?.displayName ?? "",
    });
  }

  return {
    async check(req, hc) {
      const question = toQuestion(req.question);
      await allowQuestions(hc, [question]);
      return { decision: toDecision(await engine.check(question)) };
    },
    async checkBatch(req, hc) {
      const questions = req.questions.map(toQuestion);
      await allowQuestions(hc, questions);
      return { decisions: (await engine.checkBatch(questions)).map(toDecision) };
    },
    // Hints for a GUI: only about the caller, and quietly (no audit entry), as a probe is not an attempt.
    async checkMyPermissions(req, hc) {
      const principalId = principalOf(hc)?.accountId ?? "";
      const decisions = await Promise.all(req.permissions.map((permission) => engine.checkQuietly({ principalId, permission, resource: req.resource })));
      return { decisions: decisions.map(toDecision) };
    },
    async explain(req, hc) {
      const asker = requirePrincipal(hc).accountId;
      const { decision, bindings } = await engine.explain({ principalId: req.principalId, permission: req.permission, resource: req.resource }, asker);
      return { decision: toDecision(decision), bindings: bindings.map((b) => create(ExplainedBindingSchema, b)) };
    },
    async listRoles() {
      return { roles: ROLES.map((r) => create(RoleSchema, { ...r, permissions: [...r.permissions] })) };
    },
    async grantRole(req, hc) {
      const actor = requirePrincipal(hc);
      const record = await engine.grant({ actorId: actor.accountId, accountId: req.accountId, role: req.role, resource: req.resource });
      return { binding: await toBinding(record, actor.accountId) };
    },
    async revokeRole(req, hc) {
      const actor = requirePrincipal(hc);
      await engine.revoke({ actorId: actor.accountId, accountId: req.accountId, role: req.role, resource: req.resource });
      return {};
    },
    async listRoleBindings(req, hc) {
      const withEmail = await mayReadEmails(principalOf(hc)?.accountId, req.resource);
      const page = await listMembers(db.em(), { resource: req.resource, pageSize: req.pageSize, pageToken: req.pageToken, query: req.query, withEmail });
      return {
        bindings: page.items.map((m) =>
          create(RoleBindingSchema, { ...m, createdAt: timestampFromDate(m.createdAt), accountEmail: m.email, accountDisplayName: m.displayName }),
        ),
        nextPageToken: page.nextPageToken,
      };
    },
    async listAuditEvents(req, hc) {
      const em = db.em();
      const page = await listAuditEvents(em, { pageSize: req.pageSize, pageToken: req.pageToken, kind: req.kind });
      const names = await resolveAuditNames(em, engine, mayReadEmails, requirePrincipal(hc).accountId, page.items);
      return {
        events: page.items.map((e) =>
          create(AuditEventSchema, {
            id: e.id,
            time: timestampFromDate(e.time),
            kind: e.kind,
            actorId: e.actorId ?? "",
            subjectId: e.subjectId ?? "",
            permission: e.permission ?? "",
            resource: e.resource ?? "",
            role: e.role ?? "",
            reason: e.reason ?? "",
            method: e.method ?? "",
            actorName: names.account(e.actorId),
            subjectName: names.account(e.subjectId),
            resourceName: names.resource(e.resource),
          }),
        ),
        nextPageToken: page.nextPageToken,
      };
    },
  };
}
