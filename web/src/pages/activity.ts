// The community's public activity log, newest first, growing live through WatchActivity. Each entry shows
// the start of its hash so readers can compare it with `polity audit`.
import { api } from "../api.js";
import { formatTime, h } from "../dom.js";
import { errorBox } from "../errors.js";
import { link } from "../router.js";
import { ActivityKind, type ActivityEntry } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { communityNav, crumbs, memberNames, pageSignal } from "./voting-shared.js";

const kindLabel = (k: ActivityKind) => (ActivityKind[k] ?? "event").toLowerCase().replace(/_/g, " ");

export async function activityPage(communityId: string): Promise<Node> {
  const [{ community }, names] = await Promise.all([api.communities.getCommunity({ communityId }), memberNames(communityId)]);
  const signal = pageSignal();
  const feed = h("ol", { class: "feed", reversed: true, "data-testid": "activity-feed" });
  const slot = h("div", { class: "slot" });

  const item = (e: ActivityEntry) => h("li", { "data-seq": String(e.sequence) },
    h("span", { class: "seq" }, `#${e.sequence}`), " ",
    h("strong", {}, kindLabel(e.kind)), " by ", names(e.actorId) || "system",
    e.pollId ? [" · ", h("a", { href: link(`/communities/${communityId}/polls/${e.pollId}`) }, "poll")] : null,
    h("small", { class: "muted" }, ` ${formatTime(e.time)} · `, h("code", { title: e.hash }, e.hash.slice(0, 12))),
    e.payload && e.payload !== "{}" ? h("details", {}, h("summary", {}, "payload"), h("pre", {}, e.payload)) : null);

  // The stream replays the log from the start and then follows it; newer entries go on top.
  void (async () => {
    try {
      for await (const { entry } of api.voting.watchActivity({ communityId, afterSequence: 0n }, { signal, timeoutMs: 0 })) {
        if (entry) feed.prepend(item(entry));
      }
    } catch (err) {
      if (!signal.aborted) slot.replaceChildren(errorBox(err));
    }
  })();

  return h("div", { class: "grid" },
    h("section", { class: "card wide" }, crumbs(community, communityId, "activity"), h("h1", {}, "Activity"),
      h("p", { class: "muted" }, "Every poll, ballot, delegation and membership change, hash-chained so anyone can verify it."),
      communityNav(communityId, "/activity"), slot, feed));
}
