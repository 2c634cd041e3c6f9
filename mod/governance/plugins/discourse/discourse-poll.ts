// The Discourse `poll` process, as Metagov's: a post holding a [poll] of Discourse's poll plugin; its outcome is
// the vote count of each option, read from the post (GET /posts/{id}.json) by the sweep; it completes when the
// poll is closed on Discourse (by its `close` time, by a moderator, or by CloseProcess through
// PUT /polls/toggle_status).
import { invalidInput, platformError, type JsonObject, type ProcessDefinition, type ProcessUpdate } from "../../sdk/define-plugin.js";
import { discourseRequest, postUrl } from "./discourse-client.js";

/** Discourse names the first poll of a post "poll" when the [poll] tag has no name. */
const POLL_NAME = "poll";

const input: JsonObject = {
  type: "object",
  properties: {
    title: { type: "string", minLength: 1, description: "the poll's heading; also the topic's title when a new topic is created" },
    options: { type: "array", items: { type: "string", minLength: 1 }, description: "required unless poll_type is number" },
    details: { type: "string", description: "text shown above the poll" },
    closing_at: { type: "string", description: "when Discourse closes the poll (a date or an ISO 8601 time)" },
    topic_id: { type: "integer", description: "required if creating the poll as a new post." },
    category: { type: "integer", description: "optional if creating the poll as a new topic, and ignored if creating it as a new post." },
    poll_type: { type: "string", enum: ["regular", "multiple", "number"], default: "regular" },
    public: { type: "boolean", description: "whether votes are public" },
    results: { type: "string", enum: ["always", "on_vote", "on_close", "staff_only"], description: "when to show results" },
    min: { type: "integer", description: "number: the smallest number; multiple: the fewest options a voter picks. At least 1." },
    max: { type: "integer", description: "number: the largest number; multiple: the most options a voter picks." },
    step: { type: "integer", description: "number: the step between numbers (at least 1)." },
    chart_type: { type: "string", enum: ["pie", "bar"] },
    groups: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_.-]+$" }, description: "only members of these groups may vote" },
  },
  required: ["title"],
};

const outcome: JsonObject = {
  type: "object",
  properties: {
    votes: { type: "object", additionalProperties: { type: "integer" }, description: "option (as Discourse shows it) → number of votes; options whose counts are hidden are left out" },
    poll_url: { type: "string", description: "the post holding the poll (Metagov v1's key)" },
  },
};

export const discoursePoll: ProcessDefinition = {
  description: "A vote in a Discourse post, using Discourse's poll plugin; completes when the poll closes",
  input,
  outcome,
  async start(ctx, process) {
    const parameters = process.input;
    const raw = pollPostRaw(parameters);
    const payload: JsonObject = { raw, title: parameters.title as string };
    if (parameters.category !== undefined) payload.category = parameters.category;
    if (parameters.topic_id !== undefined) payload.topic_id = parameters.topic_id;
    const post = await discourseRequest(ctx, "POST", "posts.json", { json: payload });
    if (typeof post.id !== "number") throw platformError("Discourse created the poll's post but did not answer its id");
    const url = postUrl(ctx.config, post);
    return {
      status: "pending",
      outcome: { poll_url: url },
      data: { post_id: post.id, topic_id: post.topic_id as number, topic_slug: post.topic_slug as string, post_number: post.post_number as number },
    };
  },
  async update(ctx, process) {
    const post = await discourseRequest(ctx, "GET", `posts/${postId(process.data)}.json`);
    const polls = Array.isArray(post.polls) ? (post.polls as JsonObject[]) : [];
    const poll = polls.find((candidate) => candidate.name === POLL_NAME) ?? polls[0];
    if (!poll) throw platformError(`Discourse post ${postId(process.data)} holds no poll any more`);
    return outcomeFromPoll(process.outcome, poll);
  },
  async close(ctx, process) {
    const answer = await discourseRequest(ctx, "PUT", "polls/toggle_status", {
      form: { post_id: String(postId(process.data)), poll_name: POLL_NAME, status: "closed" },
    });
    const poll = answer.poll as JsonObject | undefined;
    if (!poll) throw platformError("Discourse closed the poll but did not answer it");
    // Closing is final whatever Discourse reports, so the outcome is the one read now.
    return { ...outcomeFromPoll(process.outcome, poll), status: "completed" };
  },
};

/** The post's raw text: the details, then the [poll] BBCode of Discourse's poll plugin. */
export function pollPostRaw(parameters: JsonObject): string {
  const type = parameters.poll_type as string;
  const options = (parameters.options as string[] | undefined) ?? [];
  if (type !== "number" && options.length === 0) throw invalidInput(`options: required for poll type ${type}`);
  if (type === "regular" && options.length < 2) throw invalidInput("options: a regular poll needs at least two options");
  const attributes = [`type=${type}`];
  if (parameters.closing_at !== undefined) attributes.push(`close=${closeTime(parameters.closing_at as string)}`);
  if (Array.isArray(parameters.groups) && parameters.groups.length > 0) attributes.push(`groups=${parameters.groups.join(",")}`);
  if (parameters.public === true) attributes.push("public=true");
  if (parameters.chart_type !== undefined) attributes.push(`chartType=${String(parameters.chart_type)}`);
  for (const name of ["min", "max", "step", "results"]) {
    if (parameters[name] !== undefined) attributes.push(`${name}=${String(parameters[name])}`);
  }
  // An option line starting with "*" is a list item; a newline inside one would end the poll's markup early.
  for (const option of options) if (/[\r\n]/.test(option)) throw invalidInput("options: an option cannot contain a line break");
  const lines = [`[poll ${attributes.join(" ")}]`, `# ${singleLine(parameters.title as string)}`, ...(type === "number" ? [] : options.map((option) => `* ${option}`)), "[/poll]"];
  const details = (parameters.details as string | undefined) ?? "";
  return details ? `${details}\n\n${lines.join("\n")}\n` : `${lines.join("\n")}\n`;
}

function closeTime(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw invalidInput(`closing_at: not a date or time: ${value}`);
  return time.toISOString();
}

function singleLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function postId(data: JsonObject): number {
  if (typeof data.post_id !== "number") throw platformError("this poll process has no Discourse post id");
  return data.post_id;
}

/** Vote counts by option text; options whose count Discourse hides (results on_close, staff_only) are left out. */
function outcomeFromPoll(previous: JsonObject, poll: JsonObject): ProcessUpdate {
  const votes: JsonObject = {};
  for (const option of (poll.options as JsonObject[] | undefined) ?? []) {
    if (typeof option.votes === "number") votes[String(option.html)] = option.votes;
  }
  const update: ProcessUpdate = { outcome: { ...previous, votes } };
  if (poll.status === "closed") update.status = "completed";
  return update;
}
