// A signed-in account whose email is not verified yet may do nothing but verify it: every other call is
// refused with EMAIL_UNVERIFIED. Instead of console pages with forms that would fail, it sees what to do next.
import { Code, ConnectError } from "../../../clients/src/web.js";
import { api } from "../api.js";
import { h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { forgetMe, whoami } from "../layout.js";
import { go } from "../router.js";
import { session } from "../session.js";

/** Whether the signed-in account still has to verify its email (false when that cannot be told). */
export async function mustVerify(): Promise<boolean> {
  let verified: boolean;
  try {
    verified = (await whoami()).emailVerified;
  } catch {
    return false;
  }
  // Verified in another tab since this token was issued: swap it for one without the "unverified" mark.
  if (verified && tokenSaysUnverified()) await renewSession().catch(() => undefined);
  return !verified;
}

function tokenSaysUnverified(): boolean {
  const payload = session.load().accessToken?.split(".")[1];
  if (!payload) return false;
  try {
    return (JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { unv?: boolean }).unv === true;
  } catch {
    return false;
  }
}

/**
 * A fresh access token: the one issued before verification still says "unverified". Called after the link was
 * followed, in this tab or another.
 */
export async function renewSession(): Promise<void> {
  const { refreshToken } = session.load();
  if (refreshToken) await api.auth.refresh({ refreshToken });
  forgetMe();
}

export async function unverifiedPage(from: string): Promise<Node> {
  const who = await whoami();
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const resend = h("button", { type: "button", "data-testid": "resend-verification" }, "Send the email again");
  resend.addEventListener("click", async () => {
    resend.disabled = true;
    const sent = await attempt(slot, async () => {
      try {
        await api.auth.resendVerification({});
      } catch (err) {
        // Verified meanwhile (in another tab): nothing to resend, just carry on.
        if (ConnectError.from(err).code === Code.FailedPrecondition) return done();
        throw err;
      }
    });
    if (sent) slot.replaceChildren(okBox(`A new verification email is on its way to ${who.email}. Use the link in this newest email: it replaces the earlier ones.`));
    resend.disabled = false;
  });
  const verified = h("button", { type: "button", class: "secondary", "data-testid": "verified-continue" }, "I have verified it, continue");
  verified.addEventListener("click", () => void attempt(slot, done));

  async function done(): Promise<void> {
    await renewSession();
    if (await mustVerify()) throw new Error(`${who.email} is not verified yet. Open the link in the email we sent, then press Continue again.`);
    go(from);
  }

  return h("section", { class: "card narrow", "data-testid": "unverified" },
    h("h1", {}, "Verify your email address"),
    h("p", {}, "We sent an email to ", h("strong", {}, who.email), ". Open the link in it to verify your address; " +
      "until then your account cannot read or change anything in Polity."),
    h("p", { class: "muted" }, "No email? Look in the spam folder, or send it again. The link works for 48 hours. " +
      "If Polity runs without a mail server (a test or development setup), the email is written to the polityd log instead."),
    slot, h("p", {}, resend, " ", verified));
}
