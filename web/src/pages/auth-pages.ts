// Pages reachable without a session: sign-in, registration, email verification, first-run setup (the password
// reset pages are in password-pages.ts).
import { api } from "../api.js";
import { field, formValues, h } from "../dom.js";
import { attempt, errorBox, okBox } from "../errors.js";
import { forgetMe } from "../layout.js";
import { go, link, safeNext, type Route } from "../router.js";
import { session } from "../session.js";
import { renewSession } from "./unverified.js";

export function card(title: string, ...body: Node[]): HTMLElement {
  return h("section", { class: "card narrow" }, h("h1", {}, title), ...body);
}

/** A form whose submit button is disabled while `action` runs; errors land above the button. */
export function authForm(id: string, fields: HTMLElement[], submitLabel: string, action: (v: Record<string, string>) => Promise<void>): HTMLFormElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const button = h("button", { type: "submit", id: `${id}-submit`, "data-testid": `${id}-submit` }, submitLabel);
  const form = h("form", { id, "data-testid": id, novalidate: false }, ...fields, slot, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    await attempt(slot, () => action(formValues(form)));
    button.disabled = false;
  });
  return form;
}

// The API client has already adopted (and stored) the tokens the call returned. Back to the page that asked
// for the sign-in, if any.
function signedIn(next?: string): void {
  forgetMe();
  go(safeNext(next) ?? "/orgs");
}

export function loginPage(route: Route): Node {
  const next = safeNext(route.query.get("next"));
  const form = authForm("login-form", [
    field("Email", "email", { type: "email", autocomplete: "username", required: true }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
  ], "Sign in", async (v) => {
    await api.auth.login({ email: v.email, password: v.password, clientName: "Polity web console" });
    signedIn(next);
  });
  const forgot = h("a", { href: link("/forgot"), "data-testid": "forgot-link" }, "Forgot password?");
  // Carries the email typed so far to the reset request.
  forgot.addEventListener("click", () => {
    const email = (form.querySelector("#email") as HTMLInputElement).value.trim();
    if (email) forgot.href = link(`/forgot?email=${encodeURIComponent(email)}`);
  });
  const why = next ? [h("p", { class: "muted", "data-testid": "login-next" }, "Sign in to continue to the page you opened.")] : [];
  return card("Sign in", ...why, form, h("p", { class: "muted" }, forgot),
    h("p", { class: "muted" }, "No account yet? ", h("a", { href: link("/register") }, "Register")));
}

export function registerPage(): Node {
  const form = authForm("register-form", [
    field("Display name", "displayName", { autocomplete: "name", required: true, maxlength: 100 }),
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    field("Password (10 characters or more)", "password", { type: "password", autocomplete: "new-password", required: true, minlength: 10, maxlength: 128 }),
  ], "Create account", async (v) => {
    await api.auth.register({ email: v.email, password: v.password, displayName: v.displayName });
    forgetMe();
    form.replaceWith(okBox("Account created. We sent you an email: follow its link to verify your address."),
      h("p", {}, h("a", { href: link("/orgs") }, "Continue to the console")));
  });
  return card("Register", form, h("p", { class: "muted" }, "Already registered? ", h("a", { href: link("/login") }, "Sign in")));
}

export async function verifyPage(route: Route): Promise<Node> {
  const token = route.query.get("token") ?? "";
  if (!token) return card("Verify your email", errorBox(new Error("The link has no token. Open the link from the email again.")));
  try {
    await api.auth.verifyEmail({ token });
    // This tab's access token, if any, was issued before and still says "unverified".
    if (session.signedIn()) await renewSession().catch(() => undefined);
    return card("Verify your email", okBox("Your email address is verified."),
      h("p", {}, h("a", { href: link(session.signedIn() ? "/orgs" : "/login"), "data-testid": "verify-continue" }, "Continue")));
  } catch (err) {
    return card("Verify your email", errorBox(err), h("p", {}, h("a", { href: link("/login") }, "Sign in")));
  }
}

export function setupPage(route: Route): Node {
  const token = route.query.get("token") ?? "";
  const form = authForm("setup-form", [
    field("Setup token", "setupToken", { value: token, required: true, autocomplete: "off", spellcheck: "false" }),
    field("Display name", "displayName", { autocomplete: "name", required: true, maxlength: 100 }),
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    field("Password (10 characters or more)", "password", { type: "password", autocomplete: "new-password", required: true, minlength: 10 }),
  ], "Create the first superadmin", async (v) => {
    await api.auth.claimSetup({ setupToken: v.setupToken, email: v.email, password: v.password, displayName: v.displayName });
    signedIn();
  });
  return card("Set up Polity", h("p", { class: "muted" }, "Use the one-time token printed by polityd at its first start."), form);
}
