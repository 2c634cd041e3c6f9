// Discovery (#/disco), open to anyone: search published orgs, projects and campaigns by words, category and kind,
// and near a place within a radius (nearest first, each with its distance). The filters live in the address
// (#/disco?q=…&category=…&kind=campaign&near=gn:2988507&radius=50), so a search can be shared or bookmarked.
import { h } from "../dom.js";
import { attempt } from "../errors.js";
import { renderMarkdown } from "../markdown.js";
import { go, link, type Route } from "../router.js";
import { createPlacePicker } from "../components/place-picker.js";
import { pageLanguage } from "../components/timespace-client.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ResultKind, type SearchRequestSchema, type SearchResult } from "../../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import { campaignPath, discovery, KIND_LABEL, KINDS } from "./disco-client.js";

const KIND_PARAM: Record<number, string> = { [ResultKind.ORG]: "org", [ResultKind.PROJECT]: "project", [ResultKind.CAMPAIGN]: "campaign" };
const RADII = [10, 25, 50, 100, 250, 500, 1000];
const PAGE = 20;
const km = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function discoveryPage(route: Route): Node {
  const q = route.query;
  const kinds = KINDS.filter((k) => q.getAll("kind").includes(KIND_PARAM[k]));
  const query = h("input", { id: "disco-query", type: "search", maxlength: 100, value: q.get("q") ?? "", "data-testid": "disco-query" });
  const category = h("input", { id: "disco-category", maxlength: 32, pattern: "[a-z0-9][a-z0-9\\-]*", value: q.get("category") ?? "", "data-testid": "disco-category" });
  const kindBoxes = KINDS.map((k) => h("label", { class: "check" },
    h("input", { type: "checkbox", value: KIND_PARAM[k], checked: kinds.includes(k), "data-testid": `disco-kind-${KIND_PARAM[k]}` }), ` ${KIND_LABEL[k]}s`));
  const near = createPlacePicker({ id: "disco-near", label: "Near", testid: "disco-near", initial: q.get("near") ?? undefined });
  const radius = Number(q.get("radius")) || 50;
  const radiusSelect = h("select", { id: "disco-radius", "data-testid": "disco-radius" },
    RADII.map((r) => h("option", { value: String(r), selected: r === radius }, `${r} km`)));
  const form = h("form", { role: "search", class: "disco-search", "data-testid": "disco-search" },
    h("div", { class: "field" }, h("label", { for: "disco-query" }, "Words"), query),
    h("div", { class: "field" }, h("label", { for: "disco-category" }, "Category"), category),
    near.element,
    h("div", { class: "field" }, h("label", { for: "disco-radius" }, "Within"), radiusSelect),
    h("fieldset", { class: "kinds" }, h("legend", {}, "Show only"), kindBoxes),
    h("button", { type: "submit", "data-testid": "disco-search-submit" }, "Search"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = new URLSearchParams();
    if (query.value.trim()) next.set("q", query.value.trim());
    if (category.value.trim()) next.set("category", category.value.trim());
    for (const box of kindBoxes) { const input = box.querySelector("input")!; if (input.checked) next.append("kind", input.value); }
    if (near.value()) {
      next.set("near", near.value());
      next.set("radius", radiusSelect.value);
    }
    go(`/disco${next.size ? `?${next}` : ""}`);
  });

  const request: MessageInitShape<typeof SearchRequestSchema> = {
    query: q.get("q") ?? "", category: q.get("category") ?? "", kinds, language: pageLanguage(), pageSize: PAGE,
    near: q.get("near") ? { origin: { case: "placeId", value: q.get("near")! }, radiusKm: radius } : undefined,
  };
  const list = h("ul", { class: "disco-results", "data-testid": "disco-results", "aria-live": "polite" });
  const slot = h("div", { class: "slot" });
  const more = h("button", { type: "button", class: "secondary", hidden: true, "data-testid": "disco-more" }, "More results");
  let token = "";
  const load = async () => {
    more.disabled = true;
    await attempt(slot, async () => {
      const res = await discovery().search({ ...request, pageToken: token });
      list.append(...res.results.map(resultItem));
      token = res.nextPageToken;
      if (!list.children.length) list.replaceChildren(h("li", { class: "empty", "data-testid": "disco-results-empty" }, "Nothing matches. Try fewer words, another category or a wider radius."));
    });
    more.disabled = false;
    more.hidden = !token;
  };
  more.addEventListener("click", () => void load());
  void load();
  return h("div", { class: "grid" },
    h("section", { class: "card wide" }, h("h1", {}, "Discover organisations, projects and campaigns"), form),
    h("section", { class: "card wide" }, h("h2", {}, "Results"), slot, list, more));
}

// A campaign's summary is its Markdown goal: shown as its plain words, like a listing's summary.
function plainSummary(r: SearchResult): string {
  const text = r.kind === ResultKind.CAMPAIGN ? renderMarkdown(r.summary).textContent ?? "" : r.summary;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function resultItem(r: SearchResult): HTMLElement {
  const target = r.kind === ResultKind.CAMPAIGN ? link(campaignPath(r.id)) : link(`/orgs/${r.orgId}`);
  const where = r.place ? [r.place.name, r.place.countryName].filter((x, i, all) => x && all.indexOf(x) === i).join(", ") : "";
  const facts = [
    where ? h("span", { "data-testid": "disco-result-place" }, where) : null,
    r.distanceKm !== undefined ? h("span", { "data-testid": "disco-result-distance", "data-km": String(r.distanceKm) }, `${km.format(r.distanceKm)} km away`) : null,
    h("a", { href: link(`/orgs/${r.orgId}`), "data-testid": "disco-result-org" }, "organisation page"),
    r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener noreferrer nofollow" }, "learn more or join") : null,
  ].filter((x) => x !== null);
  const summary = plainSummary(r);
  return h("li", { "data-testid": "disco-result", "data-kind": KIND_PARAM[r.kind] ?? "", "data-id": r.id },
    h("div", { class: "kind" }, KIND_LABEL[r.kind] ?? "result", r.category ? ` · ${r.category}` : ""),
    h("h3", {}, h("a", { href: target, "data-testid": "disco-result-link" }, r.title)),
    summary ? h("p", {}, summary) : null,
    h("p", { class: "muted" }, facts.flatMap((x, i) => (i ? [" · ", x] : [x]))));
}
