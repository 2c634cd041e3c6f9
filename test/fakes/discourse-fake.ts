// A local Discourse for tests: a real HTTP server (127.0.0.1, a free port) speaking the part of Discourse's API
// the discourse plugin uses, with Discourse's rules and answers, and sending webhooks the way Discourse does.
//
//   const discourse = await createDiscourseFake({ apiKey: "k", webhookSecret: "s3cret-s3cret" });
//   config = { server_url: discourse.url, api_key: "k", webhook_secret: "s3cret-s3cret" }   // api_username "system"
//
// HTTP (headers Api-Key + Api-Username; a wrong key or an unknown user → 403 {"errors":[…],"error_type":"invalid_access"}):
//   POST /posts.json            {raw, topic_id} a reply · {title, raw, category} a topic ·
//                               {title, raw, target_recipients: "a,b", archetype: "private_message"} a message.
//                               Discourse's limits: topic title ≥ 15 characters, message title ≥ 2, raw ≥ 20 → 422.
//                               A [poll …]…[/poll] in raw becomes a poll named "poll" (options are "* " lines).
//   GET  /posts/{id}.json       the post with its polls: {name,type,status,results,options:[{id,html,votes}],voters}
//                               (option votes are left out while results are hidden: results=on_close and open).
//   PUT  /polls/vote            form post_id, poll_name, options[] (option ids) as the Api-Username user.
//   PUT  /polls/toggle_status   form post_id, poll_name, status=open|closed → {poll}.
// For tests: `posts`, `topics` (state), `requests` (method + path of each call), `vote(postId, username, texts)`,
// `setPollStatus(postId, status)` (a moderator's click), `addUser(name)`, and
// `sendWebhook(url, event, options?)`: POSTs {post}/{topic}/{ping} built from the state, with Discourse's headers
// X-Discourse-Instance (this fake's url), X-Discourse-Event-Id (a counter, or options.eventId to redeliver),
// X-Discourse-Event-Type, X-Discourse-Event and X-Discourse-Event-Signature: sha256=HMAC(secret, body), the
// secret being options.secret ?? the fake's webhookSecret (options.secret: null sends no signature).
// `addWebhook(url, secret?)` registers a webhook as an admin would in Discourse: from then on every post created
// through the API sends topic_created (for a new topic) then post_created to it, in the background like
// Discourse's job queue; `webhooksSettled()` waits for those and answers their {event, status} in order.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson as send, startFakeHttpServer, toList } from "./fake-http-server.js";
import { createWebhookDeliveries } from "./webhook-deliveries.js";

export interface DiscoursePoll {
  name: string;
  type: string;
  status: "open" | "closed";
  results: string;
  public: boolean;
  close?: string;
  options: { id: string; html: string }[];
  /** username → chosen option ids */
  votes: Map<string, string[]>;
}
export interface DiscoursePost { id: number; topic_id: number; post_number: number; raw: string; username: string; created_at: string; polls: DiscoursePoll[] }
export interface DiscourseTopic { id: number; title: string; slug: string; category_id: number | null; archetype: "regular" | "private_message"; created_by: string; allowed_users: string[]; tags: string[]; posts_count: number }
export type DiscourseWebhookEvent = { type: "post_created"; postId: number } | { type: "topic_created"; topicId: number } | { type: "ping" };

export interface DiscourseFake {
  url: string;
  posts: Map<number, DiscoursePost>;
  topics: Map<number, DiscourseTopic>;
  requests: { method: string; path: string }[];
  addUser(username: string): void;
  vote(postId: number, username: string, optionTexts: string[]): void;
  setPollStatus(postId: number, status: "open" | "closed"): void;
  sendWebhook(url: string, event: DiscourseWebhookEvent, options?: { secret?: string | null; eventId?: number }): Promise<{ status: number; body: string; eventId: number }>;
  addWebhook(url: string, secret?: string): void;
  webhooksSettled(): Promise<{ event: string; status: number }[]>;
  close(): Promise<void>;
}

class DiscourseError extends Error {
  constructor(readonly status: number, readonly errors: string[], readonly errorType?: string) { super(errors.join("; ")); }
}

export async function createDiscourseFake(options: { apiKey?: string; webhookSecret?: string; users?: string[]; categories?: number[] } = {}): Promise<DiscourseFake> {
  const apiKey = options.apiKey ?? "discourse-test-key";
  const users = new Set(["system", ...(options.users ?? ["alice", "bob", "carol"])]);
  const categories = new Set(options.categories ?? [1, 8]);
  const posts = new Map<number, DiscoursePost>();
  const topics = new Map<number, DiscourseTopic>();
  const requests: { method: string; path: string }[] = [];
  let nextPostId = 100, nextTopicId = 10, nextEventId = 1;
  const webhooks = createWebhookDeliveries<{ url: string; secret: string | undefined }, { event: string }>();

  const server = await startFakeHttpServer(serve, (error) => error instanceof DiscourseError
    ? { status: error.status, body: { errors: error.errors, ...(error.errorType ? { error_type: error.errorType } : {}) } }
    : { status: 500, body: { errors: [String(error)] } });
  const url = server.url;

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? "/", url).pathname;
    requests.push({ method: request.method ?? "", path });
    const username = authenticate(request);
    const body = await readBody(request);
    let match: RegExpMatchArray | null;
    if (request.method === "POST" && path === "/posts.json") return send(response, 200, createPost(username, body));
    if (request.method === "GET" && (match = path.match(/^\/posts\/(\d+)\.json$/))) return send(response, 200, postJson(findPost(Number(match[1])), username));
    if (request.method === "PUT" && path === "/polls/vote") {
      const post = findPost(Number(body.post_id));
      const poll = findPoll(post, String(body.poll_name ?? "poll"));
      castVote(poll, username, toList(body["options[]"] ?? body.options));
      return send(response, 200, { poll: pollJson(poll), vote: poll.votes.get(username) });
    }
    if (request.method === "PUT" && path === "/polls/toggle_status") {
      const poll = findPoll(findPost(Number(body.post_id)), String(body.poll_name ?? "poll"));
      if (body.status !== "open" && body.status !== "closed") throw new DiscourseError(400, ["param is missing or the value is empty: status"]);
      poll.status = body.status;
      return send(response, 200, { poll: pollJson(poll) });
    }
    throw new DiscourseError(404, ["The requested URL or resource could not be found."], "not_found");
  }

  function authenticate(request: IncomingMessage): string {
    const key = request.headers["api-key"], username = request.headers["api-username"] ?? "system";
    if (key !== apiKey || typeof username !== "string" || !users.has(username)) {
      throw new DiscourseError(403, ["You are not permitted to view the requested resource. The API username or key is invalid."], "invalid_access");
    }
    return username;
  }

  function createPost(username: string, body: Record<string, unknown>) {
    const raw = String(body.raw ?? "");
    if (raw.trim().length < 20) throw new DiscourseError(422, ["Body is too short (minimum is 20 characters)"]);
    let topic: DiscourseTopic;
    if (body.topic_id !== undefined && body.topic_id !== null && body.topic_id !== "") {
      const existing = topics.get(Number(body.topic_id));
      if (!existing || (existing.archetype === "private_message" && !existing.allowed_users.includes(username))) throw new DiscourseError(403, ["You are not permitted to view the requested resource."], "invalid_access");
      topic = existing;
    } else {
      const title = String(body.title ?? "").trim();
      const isMessage = body.archetype === "private_message";
      if (title.length < (isMessage ? 2 : 15)) throw new DiscourseError(422, [`Title is too short (minimum is ${isMessage ? 2 : 15} characters)`]);
      const recipients = isMessage ? String(body.target_recipients ?? "").split(",").map((name) => name.trim()).filter(Boolean) : [];
      if (isMessage && recipients.length === 0) throw new DiscourseError(422, ["You must choose a valid user."]);
      for (const name of recipients) if (!users.has(name)) throw new DiscourseError(422, [`Sorry, ${name} doesn't exist.`]);
      const category = body.category === undefined || isMessage ? null : Number(body.category);
      if (category !== null && !categories.has(category)) throw new DiscourseError(422, ["Category can't be blank"]);
      topic = { id: nextTopicId++, title, slug: slugOf(title), category_id: category, archetype: isMessage ? "private_message" : "regular", created_by: username, allowed_users: isMessage ? [username, ...recipients] : [], tags: [], posts_count: 0 };
      topics.set(topic.id, topic);
    }
    topic.posts_count += 1;
    const post: DiscoursePost = { id: nextPostId++, topic_id: topic.id, post_number: topic.posts_count, raw, username, created_at: new Date().toISOString(), polls: parsePolls(raw) };
    posts.set(post.id, post);
    const events: DiscourseWebhookEvent[] = post.post_number === 1 ? [{ type: "topic_created", topicId: topic.id }] : [];
    events.push({ type: "post_created", postId: post.id });
    for (const event of events) webhooks.publish({ event: event.type }, (webhook) => sendWebhook(webhook.url, event, { secret: webhook.secret ?? null }));
    return postJson(post, username);
  }

  function findPost(id: number): DiscoursePost {
    const post = posts.get(id);
    if (!post) throw new DiscourseError(404, ["The requested URL or resource could not be found."], "not_found");
    return post;
  }

  function postJson(post: DiscoursePost, viewer: string) {
    const topic = topics.get(post.topic_id)!;
    const json: Record<string, unknown> = {
      id: post.id, name: post.username, username: post.username, created_at: post.created_at, cooked: `<p>${post.raw}</p>`, raw: post.raw,
      post_number: post.post_number, post_type: 1, topic_id: topic.id, topic_slug: topic.slug, topic_title: topic.title, category_id: topic.category_id,
    };
    if (post.polls.length > 0) {
      json.polls = post.polls.map(pollJson);
      json.polls_votes = Object.fromEntries(post.polls.filter((poll) => poll.votes.has(viewer)).map((poll) => [poll.name, poll.votes.get(viewer)]));
    }
    return json;
  }

  function topicJson(topic: DiscourseTopic) {
    return { id: topic.id, title: topic.title, fancy_title: topic.title, slug: topic.slug, posts_count: topic.posts_count, archetype: topic.archetype, category_id: topic.category_id, tags: topic.tags, created_at: new Date().toISOString(), created_by: { id: 1, username: topic.created_by, name: topic.created_by, avatar_template: "" } };
  }

  function vote(postId: number, username: string, optionTexts: string[]) {
    const poll = findPoll(findPost(postId), "poll");
    castVote(poll, username, optionTexts.map((text) => poll.options.find((option) => option.html === text)?.id ?? text));
  }

  async function sendWebhook(target: string, event: DiscourseWebhookEvent, sendOptions: { secret?: string | null; eventId?: number } = {}) {
    const payload = event.type === "post_created" ? { post: postJson(findPost(event.postId), "system") }
      : event.type === "topic_created" ? { topic: topicJson(topics.get(event.topicId) ?? (() => { throw new Error(`no topic ${event.topicId}`); })()) }
      : { ping: "OK" };
    const body = JSON.stringify(payload);
    const eventId = sendOptions.eventId ?? nextEventId++;
    const headers: Record<string, string> = {
      "Content-Type": "application/json", "X-Discourse-Instance": url, "X-Discourse-Event-Id": String(eventId),
      "X-Discourse-Event-Type": event.type === "ping" ? "ping" : event.type.split("_")[0]!, "X-Discourse-Event": event.type,
    };
    const secret = sendOptions.secret === undefined ? options.webhookSecret : sendOptions.secret;
    if (secret) headers["X-Discourse-Event-Signature"] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const answer = await fetch(target, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
    return { status: answer.status, body: await answer.text(), eventId };
  }

  return {
    url, posts, topics, requests, vote, sendWebhook,
    addUser: (name) => void users.add(name),
    addWebhook: (target, secret) => webhooks.subscribe({ url: target, secret: secret ?? options.webhookSecret }),
    webhooksSettled: webhooks.settled,
    setPollStatus: (postId, status) => void (findPoll(findPost(postId), "poll").status = status),
    close: server.close,
  };
}

/** Discourse's poll plugin markup: [poll name=… type=… results=… public=true close=…], then "* option" lines. */
function parsePolls(raw: string): DiscoursePoll[] {
  const polls: DiscoursePoll[] = [];
  for (const match of raw.matchAll(/\[poll([^\]]*)\]([\s\S]*?)\[\/poll\]/g)) {
    const attributes = Object.fromEntries([...match[1]!.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map(([, key, value]) => [key!, value!.replace(/^"|"$/g, "")]));
    const texts = match[2]!.split("\n").filter((line) => /^\s*[*-] /.test(line)).map((line) => line.replace(/^\s*[*-] /, "").trim());
    polls.push({
      name: attributes.name ?? "poll", type: attributes.type ?? "regular", status: attributes.status === "closed" ? "closed" : "open",
      results: attributes.results ?? "always", public: attributes.public === "true", close: attributes.close,
      options: texts.map((text) => ({ id: createHash("md5").update(text).digest("hex"), html: text })), votes: new Map(),
    });
  }
  return polls;
}

function findPoll(post: DiscoursePost, name: string): DiscoursePoll {
  const poll = post.polls.find((candidate) => candidate.name === name);
  if (!poll) throw new DiscourseError(422, [`No poll named ${name} in this post.`]);
  return poll;
}

function castVote(poll: DiscoursePoll, username: string, optionIds: string[]) {
  if (poll.status === "closed") throw new DiscourseError(422, ["This poll is closed, you cannot vote."]);
  if (optionIds.length === 0 || optionIds.some((id) => !poll.options.some((option) => option.id === id))) throw new DiscourseError(422, ["Your vote is invalid."]);
  if (poll.type === "regular" && optionIds.length !== 1) throw new DiscourseError(422, ["You must select exactly one option."]);
  poll.votes.set(username, optionIds);
}

function pollJson(poll: DiscoursePoll) {
  const hidden = (poll.results === "on_close" && poll.status === "open") || poll.results === "staff_only";
  const counts = (id: string) => [...poll.votes.values()].filter((chosen) => chosen.includes(id)).length;
  return {
    name: poll.name, type: poll.type, status: poll.status, public: poll.public, results: poll.results, ...(poll.close ? { close: poll.close } : {}),
    options: poll.options.map((option) => (hidden ? { id: option.id, html: option.html } : { id: option.id, html: option.html, votes: counts(option.id) })),
    voters: poll.votes.size, chart_type: "bar", title: null,
  };
}

function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "topic";
}
