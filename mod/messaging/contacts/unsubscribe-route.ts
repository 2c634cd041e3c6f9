// RFC 8058 one-click unsubscribe: a mail client POSTs `List-Unsubscribe=One-Click` to the link and the
// recipient is opted out of that channel, no session needed (the sealed token is the authority). A GET only
// shows a page with a button that POSTs: mail scanners follow links, and a followed link must not unsubscribe.
import type { HttpRoute, RouteRequest, RouteResponse } from "../../../sys/core/http/route.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { MessagingDeps } from "../deps.js";
import { CHANNEL_NAMES } from "./addresses.js";
import { recordOptOut } from "./recipients.js";
import { openUnsubscribeToken } from "./unsubscribe-token.js";

export const UNSUBSCRIBE_PATH = "/api/messaging/unsubscribe/:token";

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  // The token is in the URL: it must not leak to other sites through Referer.
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

function page(status: number, title: string, body: string): RouteResponse {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<meta name="robots" content="noindex"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}` +
    `button{font-size:1rem;padding:.5rem 1rem}</style></head><body><h1>${title}</h1>${body}</body></html>`;
  return { status, headers: HEADERS, body: Buffer.from(html, "utf8") };
}

const unknownLink = () => page(404, "Link not valid", "<p>This unsubscribe link is not valid (it may be incomplete, or from another server).</p>");

/** Whether the body says List-Unsubscribe=One-Click, form-encoded (RFC 8058) or as multipart form data. */
function isOneClick(contentType: string, body: Buffer): boolean {
  const text = body.toString("utf8");
  if (contentType.toLowerCase().startsWith("multipart/form-data")) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(text);
  }
  return new URLSearchParams(text).get("List-Unsubscribe") === "One-Click";
}

export function createUnsubscribeRoutes(deps: MessagingDeps): HttpRoute[] {
  return [
    {
      method: "GET",
      path: UNSUBSCRIBE_PATH,
      async handler(request: RouteRequest) {
        const target = openUnsubscribeToken(deps.secrets, request.params.token ?? "");
        if (!target) return unknownLink();
        const channel = CHANNEL_NAMES[target.channel];
        return page(200, "Unsubscribe?", `<p>Stop receiving ${channel} messages from this organisation?</p>` +
          `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`);
      },
    },
    {
      method: "POST",
      path: UNSUBSCRIBE_PATH,
      async handler(request: RouteRequest) {
        const body = await request.readBody();
        const target = openUnsubscribeToken(deps.secrets, request.params.token ?? "");
        if (!target) return unknownLink();
        if (!isOneClick(request.headers["content-type"] ?? "", body)) {
          return page(400, "Not an unsubscribe request", "<p>The request did not say <code>List-Unsubscribe=One-Click</code>.</p>");
        }
        await writeTransaction(deps.db, (tx) => recordOptOut(deps, tx, target.orgId, target.ref, target.channel, "unsubscribe-link"));
        return page(200, "Unsubscribed", `<p>You will receive no more ${CHANNEL_NAMES[target.channel]} messages from this organisation.</p>`);
      },
    },
  ];
}
