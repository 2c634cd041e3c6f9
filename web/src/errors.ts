import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { h } from "./dom.js";

/** "PermissionDenied (NO_ROLE): message" — the code name, the stable reason when there is one, the message. */
export function describeError(err: unknown): { code: string; reason: string; message: string } {
  // Local checks (e.g. an unknown email) are not API errors: show their message alone.
  if (!(err instanceof ConnectError) && err instanceof Error) return { code: "Error", reason: "", message: err.message };
  const e = ConnectError.from(err);
  const reason = e.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
  return { code: Code[e.code] ?? String(e.code), reason, message: e.rawMessage };
}

export function errorBox(err: unknown): HTMLElement {
  const { code, reason, message } = describeError(err);
  return h("div", { class: "alert error", role: "alert", "data-testid": "error" },
    h("strong", { class: "code" }, code), reason ? h("span", { class: "reason" }, ` ${reason}`) : null, h("span", {}, `: ${message}`));
}

export function okBox(text: string): HTMLElement {
  return h("div", { class: "alert ok", role: "status", "data-testid": "notice" }, text);
}

/** Runs an action and reports its error in `slot` instead of throwing; returns whether it worked. */
export async function attempt(slot: HTMLElement, action: () => Promise<unknown>): Promise<boolean> {
  slot.replaceChildren();
  try {
    await action();
    return true;
  } catch (err) {
    slot.replaceChildren(errorBox(err));
    return false;
  }
}
