// What the contributions commands share: the ContributionsService client on the session's transport, the words
// for its enums (roles, complexities), how a points rule is written on the command line ("contributor:high=30"),
// and how a person names a contributor (account id, "me", email, or GitHub login).
import { createClient, type Client } from "@connectrpc/connect";
import {
  Complexity, ContributionsService, Role, type LedgerEntry, type PointsRule, type Ticket,
} from "../../gen/polity/mod/contributions/v1/contributions_pb.js";
import { UsageError } from "../exit.js";
import { isUuid, listAll, pick, resolveMember } from "../resolve.js";
import type { Session } from "../session.js";

export type Contributions = Client<typeof ContributionsService>;

const clients = new WeakMap<Session, Contributions>();
export function contributions(s: Session): Contributions {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(ContributionsService, s.client.transport)));
  return client;
}

export const ROLES: Record<string, Role> = { contributor: Role.CONTRIBUTOR, mentor: Role.MENTOR };
export const COMPLEXITIES: Record<string, Complexity> = { low: Complexity.LOW, medium: Complexity.MEDIUM, high: Complexity.HIGH };

const nameOf = <E extends number>(names: Record<string, E>, value: E) => Object.entries(names).find(([, v]) => v === value)?.[0] ?? "";
export const roleName = (x: Role) => nameOf(ROLES, x);
export const complexityName = (x: Complexity) => nameOf(COMPLEXITIES, x);

/** "contributor:high=30" → the rule; roles and complexities by name, case-insensitive. */
export function parsePointsRule(text: string): { role: Role; complexity: Complexity; points: number } {
  const m = /^\s*([a-z]+)\s*:\s*([a-z]+)\s*=\s*(\d+)\s*$/i.exec(text);
  const role = m && ROLES[m[1].toLowerCase()];
  const complexity = m && COMPLEXITIES[m[2].toLowerCase()];
  if (!m || !role || !complexity) {
    throw new UsageError(`--points "${text}" is not ROLE:COMPLEXITY=POINTS, e.g. contributor:high=30 (roles: ${Object.keys(ROLES).join(", ")}; complexities: ${Object.keys(COMPLEXITIES).join(", ")}).`);
  }
  return { role, complexity, points: Number(m[3]) };
}

/** The rules with each given (role, complexity) pair set to its new points; the other pairs keep theirs. */
export function withRules(rules: PointsRule[], changes: Array<{ role: Role; complexity: Complexity; points: number }>): Array<{ role: Role; complexity: Complexity; points: number }> {
  const out = rules.map((r) => ({ role: r.role, complexity: r.complexity, points: r.points }));
  for (const change of changes) {
    const at = out.findIndex((r) => r.role === change.role && r.complexity === change.complexity);
    if (at >= 0) out[at] = change;
    else out.push(change);
  }
  return out;
}

/** "a, b,,c" → ["a", "b", "c"]. */
export const splitList = (text: string) => text.split(",").map((x) => x.trim()).filter(Boolean);

/** "owner/name#12". */
export const issueRef = (x: Pick<Ticket | LedgerEntry, "repository" | "number">) => (x.repository ? `${x.repository}#${x.number}` : "");

/** Signed points, so a reversal reads as one: "+30", "-30". */
export const signed = (points: number) => (points > 0 ? `+${points}` : String(points));

/**
 * The account a contributor reference names: a full account id, "me", an email or display name of a member, or
 * a GitHub login (or account id prefix) among those on the leaderboard or assigned a ticket.
 */
export async function resolveContributor(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref) || ref === "me" || ref.includes("@")) return resolveMember(s, communityId, ref);
  const [entries, tickets] = await Promise.all([
    listAll(async (pageToken) => {
      const res = await contributions(s).getLeaderboard({ communityId, pageSize: 200, pageToken });
      return { items: res.entries, next: res.nextPageToken };
    }),
    listAll(async (pageToken) => {
      const res = await contributions(s).listTickets({ communityId, pageSize: 200, pageToken });
      return { items: res.tickets, next: res.nextPageToken };
    }),
  ]);
  const known = new Map<string, string>();
  for (const e of entries) if (e.accountId) known.set(e.accountId, e.githubLogin);
  for (const t of tickets) if (t.assigneeAccountId && !known.has(t.assigneeAccountId)) known.set(t.assigneeAccountId, t.assigneeLogin);
  const candidates = [...known].map(([id, login]) => ({ id, names: [login], label: login || "(no GitHub login)" }));
  // A login nobody on the board holds may still be a member's display name.
  if (!candidates.some((c) => c.names.some((n) => n.toLowerCase() === ref.trim().toLowerCase())) && !/^[0-9a-f-]{4,}$/i.test(ref)) {
    return resolveMember(s, communityId, ref);
  }
  return pick("contributor", ref, candidates, `polity contributions leaderboard ${command}`, "a GitHub login, an email or an account id");
}
