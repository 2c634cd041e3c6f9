// Forgotten passwords: ask for a reset email, then set a new password from the emailed link (#/reset?token=…).
import { api, resetApi } from "../api.js";
import { field, h } from "../dom.js";
import { errorBox, okBox } from "../errors.js";
import { forgetMe } from "../layout.js";
import { link, type Route } from "../router.js";
import { authForm, card } from "./auth-pages.js";

export function forgotPage(route: Route): Node {
  const form = authForm("forgot-form", [
    field("Email", "email", { type: "email", autocomplete: "email", required: true, value: route.query.get("email") ?? "" }),
  ], "Email me a reset link", async (v) => {
    await api.auth.requestPasswordReset({ email: v.email });
    // The server answers the same for unknown addresses, so the page cannot say more than this.
    form.replaceWith(okBox(`If ${v.email} belongs to an account, an email with a link to choose a new password is on its way. ` +
      "The link works for one hour. No email? Check the spam folder, or ask your administrator whether Polity can send email."));
  });
  return card("Forgot your password?", h("p", { class: "muted" }, "Enter the email address you sign in with. We will send you a link to choose a new password."),
    form, h("p", { class: "muted" }, h("a", { href: link("/login") }, "Back to sign in")));
}

export function resetPage(route: Route): Node {
  const token = route.query.get("token") ?? "";
  if (!token) {
    return card("Choose a new password", errorBox(new Error("This link has no reset token. Open the link from the email again, or ask for a new one.")),
      h("p", {}, h("a", { href: link("/forgot") }, "Ask for a new link")));
  }
  const form = authForm("reset-form", [
    field("New password (10 characters or more)", "password", { type: "password", autocomplete: "new-password", required: true, minlength: 10, maxlength: 128 }),
    field("New password again", "confirm", { type: "password", autocomplete: "new-password", required: true, minlength: 10, maxlength: 128 }),
  ], "Set the new password", async (v) => {
    if (v.password !== v.confirm) throw new Error("The two passwords differ. Type the same new password twice.");
    await api.auth.resetPassword({ token, newPassword: v.password });
    // The reset revoked every session of the account, this tab's too if it had one.
    resetApi();
    forgetMe();
    form.replaceWith(okBox("Your password is changed. Every earlier session of this account is signed out; sign in with the new password."),
      h("p", {}, h("a", { href: link("/login"), "data-testid": "reset-continue" }, "Sign in")));
  });
  return card("Choose a new password", form, h("p", { class: "muted" }, "Link expired or already used? ", h("a", { href: link("/forgot") }, "Ask for a new one")));
}
