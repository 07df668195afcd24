// The help button's "New ticket" dialog and the assignee quick search. Without JavaScript the help button is a
// link to the same form as a page of its own, and the assignee is chosen from the pick list.
document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.getElementById("help-dialog");
  const content = document.getElementById("help-dialog-content");
  const showQuickSearch = (root) => {
    root.querySelectorAll("[data-js-only]").forEach((element) => { element.hidden = false; });
  };
  showQuickSearch(document);
  if (!dialog || !content) return;

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== content) return;
    showQuickSearch(content);
    if (!dialog.open) dialog.showModal();
    const invalid = content.querySelector("[aria-invalid=true]");
    const heading = content.querySelector("#new-ticket-heading");
    const created = content.querySelector(".ticket-created");
    if (invalid) invalid.focus();
    else if (created && heading) heading.focus();
    else {
      const first = content.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    }
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-dialog]")) dialog.close();
  });
  dialog.addEventListener("close", () => { content.replaceChildren(); });
});
