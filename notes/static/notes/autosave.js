// Draft autosave: save the note a moment after typing stops, when the idle-timeout warning appears, and when the
// page is left. The server keeps every save, so a lost connection or a sign-out loses at most the last second.
(() => {
  const form = document.getElementById("note-form");
  if (!form) return;
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-save-status]");
  const version = form.querySelector("[data-note-version]");
  const DELAY = 1000;
  let timer = null;
  let dirty = false;
  let saving = null;
  let stopped = false;
  const snapshot = () => new URLSearchParams(new FormData(form)).toString().replace(/(^|&)version=\d+/, "");
  let lastSent = snapshot();

  const show = (text, problem) => {
    status.textContent = text;
    status.classList.toggle("problem", Boolean(problem));
  };
  const showErrors = (errors) => {
    form.querySelectorAll("[data-error-for]").forEach((node) => {
      const message = (errors || {})[node.dataset.errorFor];
      node.textContent = message || "";
      node.hidden = !message;
    });
  };

  const save = async (keepalive) => {
    if (!dirty || stopped) return;
    if (saving) await saving;
    dirty = false;
    const sending = snapshot();
    if (sending === lastSent) return;  // a blur's "change" after the input was already saved
    lastSent = sending;
    show("Saving…");
    const body = new FormData(form);
    saving = fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "X-Requested-With": "fetch" },
      redirect: "manual",
    })
      .then(async (response) => {
        const type = response.headers.get("content-type") || "";
        if (!type.includes("application/json")) {
          dirty = true;
          lastSent = "";
          show("Not saved: you were signed out. Sign in again in another tab, then keep typing; your last save is kept.", true);
          return;
        }
        const data = await response.json();
        if (data.saved) {
          version.value = String(data.version);
          showErrors({});
          show(data.status);
        } else if (response.status === 409) {
          stopped = true;
          show(data.message, true);
        } else {
          showErrors(data.errors);
          show(data.message, true);
        }
      })
      .catch(() => {
        dirty = true;
        lastSent = "";
        show("Not saved: the connection was lost. Hearth will try again as you type.", true);
      })
      .finally(() => { saving = null; });
    return saving;
  };

  const changed = () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => save(false), DELAY);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  document.addEventListener("hearth:idle-warning", () => save(false));
  window.addEventListener("pagehide", () => save(true));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save(true);
  });
  form.addEventListener("submit", () => { stopped = true; clearTimeout(timer); });
})();
