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
