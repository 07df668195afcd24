// Booking and changing an appointment: the client picker (type, then choose a match with the arrow keys and
// Enter; chosen clients are chips with a remove button) and the repeat fields, shown once a repeat is chosen.
// Without this file the form still works: "Find" searches by submitting the form, and every field shows.

function announcer(container) {
  const region = document.createElement("p");
  region.className = "visually-hidden";
  region.setAttribute("role", "status");
  container.append(region);
  return (text) => {
    region.textContent = text;
  };
}

function setUpPicker(picker) {
  const input = picker.querySelector('input[type="search"]');
  const chips = picker.querySelector(".chips");
  const matches = picker.querySelector(".picker-matches");
  const announce = announcer(picker);
  let active = -1;
  // Removed, not hidden: as the form's first submit button it would take Enter pressed in any field.
  picker.querySelector("[data-picker-find]").remove();

  const options = () => [...matches.querySelectorAll('[role="option"]')];

  function addRemoveButton(chip, label) {
    chip.querySelector('input[type="checkbox"]').hidden = true; // still submitted: the chip is the choice
    const button = document.createElement("button");
    button.type = "button";
    button.className = "chip-remove";
    button.setAttribute("aria-label", `Remove ${label}`);
    button.textContent = "×";
    button.addEventListener("click", () => {
      chip.remove();
      input.focus();
      announce(`${label} removed.`);
    });
    chip.append(button);
  }

  function setActive(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function close() {
    matches.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(option) {
    const value = option.dataset.value;
    const label = option.textContent.trim();
    if (!chips.querySelector(`input[value="${CSS.escape(value)}"]`)) {
      const chip = document.createElement("li");
      chip.className = "chip";
      const wrapper = document.createElement("label");
      const box = document.createElement("input");
      Object.assign(box, { type: "checkbox", name: "clients", value, checked: true });
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = label;
      wrapper.append(box, " ", name);
      chip.append(wrapper);
      addRemoveButton(chip, label);
      chips.append(chip);
    }
    input.value = "";
    close();
    input.focus();
    announce(`${label} added.`);
  }

  for (const chip of chips.querySelectorAll(".chip")) {
    addRemoveButton(chip, chip.querySelector(".name").textContent.trim());
  }
  matches.addEventListener("htmx:afterSwap", () => {
    active = -1;
    input.removeAttribute("aria-activedescendant");
    input.setAttribute("aria-expanded", String(options().length > 0));
  });
  matches.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) choose(option);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter in the search box never submits the booking
      const all = options();
      if (active >= 0) choose(all[active]);
      else if (all.length === 1) choose(all[0]);
    } else if (event.key === "Escape" && options().length) {
      event.preventDefault();
      close();
    }
  });
}

function setUpRepeat(form) {
  const repeat = form.querySelector('select[name="repeat"]');
  if (!repeat) return;
  const only = { weekdays: "WEEKLY", monthly_mode: "MONTHLY" };
  const sync = () => {
    for (const field of form.querySelectorAll("[data-repeat-only]")) {
      const wanted = only[field.dataset.field];
      field.hidden = !repeat.value || (wanted !== undefined && repeat.value !== wanted);
    }
  };
  repeat.addEventListener("change", sync);
  sync();
}

document.querySelectorAll("[data-client-picker]").forEach(setUpPicker);
document.querySelectorAll("form.booking-form").forEach(setUpRepeat);
