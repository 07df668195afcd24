// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.getElementById("mainnav");
  const toggle = nav && nav.querySelector(".nav-toggle");
  // Warn when Caps Lock is on while typing a password.
  document.querySelectorAll("input[data-capslock-warning]").forEach((input) => {
    const warning = document.getElementById(input.dataset.capslockWarning);
    const update = (event) => {
      if (warning && event.getModifierState) warning.hidden = !event.getModifierState("CapsLock");
    };
    input.addEventListener("keydown", update);
    input.addEventListener("keyup", update);
    input.addEventListener("blur", () => { if (warning) warning.hidden = true; });
  });
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
});

// Idle sign-out: warn a minute before the clinic's idle timeout, offer "Stay signed in", then sign out.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;
  const idleSeconds = Number(body.dataset.idleSeconds || 0);
  const dialog = document.getElementById("idle-warning");
  if (!idleSeconds || !dialog) return;
  const countdown = dialog.querySelector("[data-idle-countdown]");
  const warnBefore = Math.min(60, Math.floor(idleSeconds / 2));
  let warnTimer, endTimer, tick;

  const signOut = () => {
    const form = document.getElementById("logout-form");
    form.querySelector("input[name=next]").value = body.dataset.expiredNext;
    form.submit();
  };
  const warn = () => {
    // Pages with unsaved work (a note's draft) save it now, while the session still stands.
    document.dispatchEvent(new CustomEvent("hearth:idle-warning"));
    let left = warnBefore;
    countdown.textContent = String(left);
    if (!dialog.open) dialog.showModal();
    tick = setInterval(() => {
      left = Math.max(0, left - 1);
      countdown.textContent = String(left);
    }, 1000);
  };
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    warnTimer = setTimeout(warn, (idleSeconds - warnBefore) * 1000);
    endTimer = setTimeout(signOut, idleSeconds * 1000);
  };
  const csrfToken = () => JSON.parse(document.getElementById("main").getAttribute("data-hx-headers"))["X-CSRFToken"];

  dialog.querySelector("[data-stay-signed-in]").addEventListener("click", async () => {
    const response = await fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
    if (!response.ok) return signOut();
    dialog.close();
    schedule();
  });
  dialog.addEventListener("cancel", (event) => event.preventDefault());  // Escape must not dismiss silently
  body.addEventListener("htmx:afterRequest", schedule);
  schedule();
});

// Paged lists: after a pager link swaps its list in place (htmx), move focus to the new list so keyboard and
// screen-reader users continue from its first row rather than from the top of the page.
document.addEventListener("htmx:afterSettle", (event) => {
  const link = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!link || !link.closest || !link.closest(".pager")) return;
  const region = document.querySelector(link.getAttribute("data-hx-target"));
  if (region) region.focus();
});
