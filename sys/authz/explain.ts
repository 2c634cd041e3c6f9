// Explain, scoped to what the asker may see. Anyone may explain their own access. Platform roles (superadmin,
// ops) may explain anyone's. Everyone else explains only the members of the scope where they hold
// sys.authz.explain (the org, project or community they run): a subject without a role binding on that scope or
// below it is NOT_FOUND, exactly like an id that does not exist, so Explain cannot probe accounts (existence,
// disabled, platform roles). For those askers the answer is decided from the subject's bindings the asker could
// list anyway (resources where the asker holds sys.role.read), never from platform roles.
import type { Database, EntityManager } from "../core/db.js";
import { notFound } from "../core/errors.js";
import type { AccessDecision, AccessQuestion } from "../core/ports/authorization-port.js";
import { type ConsideredBinding, decide, type Outcome, type PrincipalFacts } from "./decide.js";

export const EXPLAIN_PERMISSION = "sys.authz.explain";
const LIST_BINDINGS_PERMISSION = "sys.role.read";

interface ExplainerDeps {
  db: Database;
  evaluate(questions: AccessQuestion[], em: EntityManager): Promise<Outcome[]>;
  ancestors(resource: string, em: EntityManager): Promise<string[]>;
  bindingsOf(accountId: string, em: EntityManager): Promise<Array<{ resource: string }>>;
  loadFacts(em: EntityManager, principalIds: string[], resources: string[]): Promise<Map<string, PrincipalFacts>>;
  isPublic(permission: string, chain: readonly string[]): boolean | Promise<boolean>;
}

export interface Explanation {
  decision: AccessDecision;
  bindings: ConsideredBinding[];
}

const explained = (o: Outcome): Explanation => ({ decision: o.decision, bindings: o.considered });

export function createExplainer({ db, evaluate, ancestors, bindingsOf, loadFacts, isPublic }: ExplainerDeps) {
  /** The broadest resource of the chain where the asker holds sys.authz.explain; undefined when none. */
  async function scopeOf(askerId: string, resource: string, em: EntityManager): Promise<string | undefined> {
    const [asker] = await evaluate([{ principalId: askerId, permission: EXPLAIN_PERMISSION, resource }], em);
    return asker!.considered.filter((b) => b.grantsPermission).at(-1)?.resource;
  }

  async function belongsTo(subjectId: string, scope: string, em: EntityManager): Promise<boolean> {
    for (const binding of await bindingsOf(subjectId, em)) if ((await ancestors(binding.resource, em)).includes(scope)) return true;
    return false;
  }

  return async function explain(question: AccessQuestion, askerId: string): Promise<Explanation> {
    const em = db.em();
    if (askerId === question.principalId) return explained((await evaluate([question], em))[0]!);
    const scope = await scopeOf(askerId, question.resource, em);
    if (scope === "platform") return explained((await evaluate([question], em))[0]!);
    if (!scope || !(await belongsTo(question.principalId, scope, em))) throw notFound("account", question.principalId);
    const chain = await ancestors(question.resource, em);
    const listable = await evaluate(chain.map((resource) => ({ principalId: askerId, permission: LIST_BINDINGS_PERMISSION, resource })), em);
    const visible = new Set(chain.filter((r, i) => r !== "platform" && listable[i]!.decision.allowed));
    const facts = (await loadFacts(em, [question.principalId], chain)).get(question.principalId);
    const seen = facts && { ...facts, bindings: facts.bindings.filter((b) => visible.has(b.resource)) };
    if (await isPublic(question.permission, chain)) return { decision: { allowed: true, reason: "public" }, bindings: [] };
    return explained(decide(question, seen, chain));
  };
}
