// A local Loomio for tests: a real HTTP server (127.0.0.1, a free port) speaking the part of Loomio's bot API
// the loomio plugin uses, with Loomio's answers, and sending webhooks the way a Loomio group's webhook chatbot does.
//
//   const loomio = await createLoomioFake({ apiKey: "k" });
//   config = { api_key: "k", base_url: loomio.url, webhook_token: "…" }      // api_version "b1" (or "b2")
//
// HTTP (api_key as a query or body parameter; a wrong one → 403 {"exception": "CanCan::AccessDenied …"}):
//   POST /api/b1/polls, /api/b2/polls   JSON or form: title, poll_type, options (or options[]), closing_at, details…
//                                       → 200 {polls: [poll], poll_options, stances, users, groups, meta};
//                                       invalid → 422 {errors: {field: ["can't be blank"]}}
//   GET  /api/b1/polls/{key}, /api/b2/polls/{key}?api_key=…   → the same shape, 404 for an unknown key.
// A poll has Loomio's fields: id, key, title, poll_type, closing_at, closed_at, voters_count (the group's members),
// decided_voters_count, undecided_voters_count, cast_stances_pct, poll_option_names, stance_counts; each poll
// option has name, priority, total_score and voter_scores {user id: score}.
// For tests: `polls` (state by key), `members`, `requests` (method + path), `vote(key, userId, optionNames)`,
// `closePoll(key)` (someone closing it on Loomio), and `sendWebhook(url, {kind, pollKey, actorId?}, {format?})`:
// POSTs what Loomio's webhook chatbot posts. format "markdown" (default; the payload Metagov reads):
// {text, icon_url, username, kind, url, group_name, actor_name, poll_type, title, attachments}; format "text":
// {text, icon_url, username, blocks}, newer Loomio, where the poll's link is only in the text. Loomio sends no
// signature and no delivery id: the test puts ?token=… in the URL as the group's admin would.
// `addWebhook(url, format?)` sets up a webhook chatbot as a group admin would: from then on creating a poll sends
// poll_created, `vote` stance_created, `closePoll` poll_closed_by_user and `expirePoll` poll_expired, in the
// background; `webhooksSettled()` waits for those and answers their {kind, status} in order.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson as send, startFakeHttpServer, toList } from "./fake-http-server.js";
import { createWebhookDeliveries } from "./webhook-deliveries.js";

export interface LoomioMember { id: number; name: string }
export interface LoomioPoll {
  id: number; key: string; title: string; details: string; poll_type: string; closing_at: string; closed_at: string | null;
  created_at: string; group_id: number; discussion_id: number | null; anonymous: boolean; author_id: number;
  options: { id: number; name: string; priority: number }[];
  /** user id → the option names chosen */
  stances: Map<number, string[]>;
}
export type LoomioWebhookKind = "poll_created" | "stance_created" | "stance_updated" | "poll_closing_soon" | "poll_expired" | "poll_closed_by_user" | "poll_reopened" | "outcome_created";

export interface LoomioFake {
  url: string;
  groupId: number;
  polls: Map<string, LoomioPoll>;
  members: LoomioMember[];
  requests: { method: string; path: string }[];
  vote(pollKey: string, userId: number, optionNames: string[]): void;
  closePoll(pollKey: string): void;
  expirePoll(pollKey: string): void;
  addWebhook(url: string, format?: "markdown" | "text"): void;
  webhooksSettled(): Promise<{ kind: string; status: number }[]>;
  sendWebhook(url: string, event: { kind: LoomioWebhookKind; pollKey: string; actorId?: number }, options?: { format?: "markdown" | "text" }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const POLL_TYPES = ["proposal", "poll", "count", "score", "ranked_choice", "meeting", "dot_vote"];

class LoomioError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) { super(JSON.stringify(body)); }
}

/** `stanceData`: also answer each poll's stance_data {option: total}, as Loomio did until about 2021. */
export async function createLoomioFake(options: { apiKey?: string; groupId?: number; members?: LoomioMember[]; stanceData?: boolean } = {}): Promise<LoomioFake> {
  const apiKey = options.apiKey ?? "loomio-test-key";
  const groupId = options.groupId ?? 710495;
  const bot: LoomioMember = { id: 4759171, name: "polity bot" };
  const members = options.members ?? [{ id: 879750, name: "Alice" }, { id: 879751, name: "Bob" }, { id: 879752, name: "Carol" }, { id: 879753, name: "Dan" }];
  const polls = new Map<string, LoomioPoll>();
  const requests: { method: string; path: string }[] = [];
  let nextPollId = 234203, nextOptionId = 940809;
  const webhooks = createWebhookDeliveries<{ url: string; format: "markdown" | "text" }, { kind: string }>();

  /** What Loomio's event bus does for a group with webhook chatbots: one delivery per chatbot, in order. */
  function publish(kind: LoomioWebhookKind, pollKey: string, actorId?: number) {
    webhooks.publish({ kind }, (webhook) => sendWebhook(webhook.url, { kind, pollKey, actorId }, { format: webhook.format }));
  }

  const server = await startFakeHttpServer(serve, (error) => error instanceof LoomioError
    ? { status: error.status, body: error.body }
    : { status: 500, body: { exception: String(error) } });
  const url = server.url;

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const address = new URL(request.url ?? "/", url);
    requests.push({ method: request.method ?? "", path: address.pathname });
    const body = await readBody(request);
    const match = address.pathname.match(/^\/api\/(b1|b2)\/polls(?:\/([^/]+))?$/);
    if (!match) throw new LoomioError(404, { exception: `ActionController::RoutingError No route matches [${request.method}] "${address.pathname}"` });
    if ((address.searchParams.get("api_key") ?? body.api_key) !== apiKey) throw new LoomioError(403, { exception: "CanCan::AccessDenied You are not authorized to access this page." });
    if (request.method === "POST" && !match[2]) return send(response, 200, pollJson(createPoll(body, match[1] as "b1" | "b2")));
    if (request.method === "GET" && match[2]) {
      const poll = polls.get(decodeURIComponent(match[2])) ?? [...polls.values()].find((candidate) => String(candidate.id) === match[2]);
      if (!poll) throw new LoomioError(404, { exception: "ActiveRecord::RecordNotFound Couldn't find Poll" });
      return send(response, 200, pollJson(poll));
    }
    throw new LoomioError(404, { exception: `ActionController::RoutingError No route matches [${request.method}] "${address.pathname}"` });
  }

  function createPoll(body: Record<string, unknown>, version: "b1" | "b2"): LoomioPoll {
    const errors: Record<string, string[]> = {};
    const title = String(body.title ?? "").trim();
    const pollType = String(body.poll_type ?? "");
    const names = toList(body.options ?? body["options[]"]);
    const closingAt = body.closing_at === undefined || body.closing_at === null ? null : new Date(String(body.closing_at));
    if (!title) errors.title = ["can't be blank"];
    if (!POLL_TYPES.includes(pollType)) errors.poll_type = ["is not included in the list"];
    if (names.length === 0) errors.poll_options = ["can't be blank"];
    if (pollType === "proposal" && names.some((name) => !["agree", "disagree", "abstain", "block"].includes(name))) errors.poll_options = ["are not valid for a proposal"];
    if (closingAt && Number.isNaN(closingAt.getTime())) errors.closing_at = ["is invalid"];
    if (version === "b2" && body.group_id !== undefined && Number(body.group_id) !== groupId) throw new LoomioError(403, { exception: "CanCan::AccessDenied You are not authorized to access this page." });
    if (Object.keys(errors).length > 0) throw new LoomioError(422, { errors });
    const poll: LoomioPoll = {
      id: nextPollId++, key: pollKey(), title, details: String(body.details ?? ""), poll_type: pollType,
      closing_at: closingAt ? closingAt.toISOString() : "", closed_at: null, created_at: new Date().toISOString(), group_id: groupId,
      discussion_id: body.discussion_id === undefined ? null : Number(body.discussion_id), anonymous: body.anonymous === true || body.anonymous === "true", author_id: bot.id,
      options: names.map((name, priority) => ({ id: nextOptionId++, name, priority })), stances: new Map(),
    };
    polls.set(poll.key, poll);
    publish("poll_created", poll.key);
    return poll;
  }

  function findPoll(key: string): LoomioPoll {
    const poll = polls.get(key);
    if (!poll) throw new Error(`no Loomio poll ${key}`);
    return poll;
  }

  function pollJson(poll: LoomioPoll) {
    const decided = poll.stances.size;
    const scores = (name: string) => Object.fromEntries([...poll.stances].filter(([, chosen]) => chosen.includes(name)).map(([userId]) => [String(userId), 1]));
    const pollOptions = poll.options.map((option) => {
      const voterScores = poll.anonymous ? {} : scores(option.name);
      return { id: option.id, name: option.name, poll_id: poll.id, priority: option.priority, voter_scores: voterScores, total_score: Object.keys(scores(option.name)).length, color: "#00D177" };
    });
    return {
      polls: [{
        id: poll.id, key: poll.key, title: poll.title, details: poll.details, details_format: "md", poll_type: poll.poll_type, author_id: poll.author_id,
        group_id: poll.group_id, discussion_id: poll.discussion_id, anonymous: poll.anonymous, closing_at: poll.closing_at, closed_at: poll.closed_at,
        created_at: poll.created_at, voters_count: members.length, decided_voters_count: decided, undecided_voters_count: members.length - decided,
        cast_stances_pct: members.length === 0 ? 0 : Math.round((decided / members.length) * 100), poll_option_names: poll.options.map((option) => option.name),
        poll_option_ids: poll.options.map((option) => option.id), stance_counts: pollOptions.map((option) => option.total_score), multiple_choice: false,
        ...(options.stanceData ? { stance_data: Object.fromEntries(pollOptions.map((option) => [option.name, option.total_score])) } : {}),
      }],
      poll_options: pollOptions,
      stances: [...poll.stances].map(([userId, chosen], index) => ({ id: 4097752 + index, poll_id: poll.id, participant_id: poll.anonymous ? null : userId, latest: true, cast_at: poll.created_at, option_scores: Object.fromEntries(chosen.map((name) => [String(poll.options.find((option) => option.name === name)!.id), 1])) })),
      users: [bot, ...members].map((member) => ({ id: member.id, name: member.name, username: member.name.toLowerCase(), bot: member.id === bot.id })),
      groups: [{ id: groupId, key: "ZrSTqeyG", handle: "polity-test", name: "Polity test group" }],
      meta: { root: "polls", total: null },
    };
  }

  function vote(pollKey: string, userId: number, optionNames: string[]) {
    const poll = findPoll(pollKey);
    if (poll.closed_at) throw new Error(`Loomio poll ${pollKey} is closed`);
    if (!members.some((member) => member.id === userId)) throw new Error(`user ${userId} is not a member of the group`);
    for (const name of optionNames) if (!poll.options.some((option) => option.name === name)) throw new Error(`poll ${pollKey} has no option ${name}`);
    const kind = poll.stances.has(userId) ? "stance_updated" : "stance_created";
    poll.stances.set(userId, optionNames);
    publish(kind, pollKey, userId);
  }

  function endPoll(pollKey: string, kind: "poll_closed_by_user" | "poll_expired") {
    const poll = findPoll(pollKey);
    poll.closed_at = new Date().toISOString();
    publish(kind, pollKey);
  }

  async function sendWebhook(target: string, event: { kind: LoomioWebhookKind; pollKey: string; actorId?: number }, sendOptions: { format?: "markdown" | "text" } = {}) {
    const poll = findPoll(event.pollKey);
    const actor = [bot, ...members].find((member) => member.id === (event.actorId ?? bot.id))?.name ?? "Someone";
    const pollUrl = `${url}/p/${poll.key}/${poll.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
    const text = `${actor} ${event.kind.replaceAll("_", " ")}: [${poll.title}](${pollUrl})`;
    const common = { text, icon_url: `${url}/brand/icon.png`, username: "Loomio" };
    const payload = sendOptions.format === "text" ? { ...common, blocks: [] }
      : { ...common, kind: event.kind, url: pollUrl, group_name: "Polity test group", actor_name: actor, poll_type: poll.poll_type, title: poll.title, attachments: [] };
    const answer = await fetch(target, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), signal: AbortSignal.timeout(10_000) });
    return { status: answer.status, body: await answer.text() };
  }

  return {
    url, groupId, polls, members, requests, vote, sendWebhook,
    closePoll: (pollKey) => endPoll(pollKey, "poll_closed_by_user"),
    expirePoll: (pollKey) => endPoll(pollKey, "poll_expired"),
    addWebhook: (target, format = "markdown") => webhooks.subscribe({ url: target, format }),
    webhooksSettled: webhooks.settled,
    close: server.close,
  };
}

/** Loomio's keys: eight letters and digits, e.g. "m20ZprvH". */
function pollKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(8)].map((byte) => alphabet[byte % alphabet.length]).join("");
}
