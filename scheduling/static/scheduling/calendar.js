// Calendar: drag to move or resize an appointment, or do the same with the keyboard. The server checks
// permissions, conflicts and the optimistic lock exactly as for the booking form; this only proposes a change.
// Times here are wall-clock times in the reader's zone ("2026-03-10T10:00"), handled as UTC numbers so the
// browser's own time zone never shifts them.

const MINUTE = 60_000;
const STEP = 15; // minutes per drag step or arrow key
const ROW = 5; // minutes per grid row (scheduling/calendar.py ROW_MINUTES)

const pad = (n) => String(n).padStart(2, "0");
const parse = (text) => {
  const [day, time = "00:00"] = text.split("T");
  const [y, m, d] = day.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  return Date.UTC(y, m - 1, d, hh, mm);
};
const format = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
const clock = (ms) => format(ms).slice(11);
const dayPart = (ms) => format(ms).slice(0, 10);

const calendar = document.getElementById("calendar");
const status = document.getElementById("cal-status");

function announce(message, isError = false) {
  status.textContent = message;
  status.classList.toggle("error", isError);
}

function csrfToken() {
  return JSON.parse(document.getElementById("main").getAttribute("data-hx-headers"))["X-CSRFToken"];
}

const targets = () => [...calendar.querySelectorAll(".cal-slots, .cal-cell")];
const isGrid = (container) => container.classList.contains("cal-slots");

function place(el, state) {
  // Show the proposed position: move the element into its column or cell, and set its grid rows.
  if (el.parentElement !== state.container) state.container.append(el);
  el.querySelector(".event-time").textContent = `${clock(state.start)}–${clock(state.end)}`;
  if (!isGrid(state.container)) return;
  const first = Number(state.container.dataset.firstHour);
  const dayStart = parse(state.container.dataset.date) + first * 60 * MINUTE;
  const row = Math.max(1, Math.round((state.start - dayStart) / MINUTE / ROW) + 1);
  const span = Math.max(1, Math.round((state.end - state.start) / MINUTE / ROW));
  el.className = el.className.replace(/\br-\d+\b/, `r-${row}`).replace(/\bs-\d+\b/, `s-${span}`);
}

function retarget(state, container) {
  // Moving to another column or cell keeps the time of day and takes that column's date (and clinician).
  const offset = state.start - parse(dayPart(state.start));
  const length = state.end - state.start;
  state.start = parse(container.dataset.date) + offset;
  state.end = state.start + length;
  state.container = container;
}

function original(el) {
  return {
    start: parse(el.dataset.start),
    end: parse(el.dataset.end),
    container: el.parentElement,
    className: el.className,
    nextSibling: el.nextSibling,
  };
}

function restore(el, saved) {
  saved.container.insertBefore(el, saved.nextSibling);
  el.className = saved.className;
  el.querySelector(".event-time").textContent = `${clock(saved.start)}–${clock(saved.end)}`;
}

async function save(el, saved, state, override = false) {
  const changed = state.start !== saved.start || state.end !== saved.end || state.container !== saved.container;
  if (!changed) return restore(el, saved);
  const body = new URLSearchParams({ start: format(state.start), end: format(state.end), version: el.dataset.version });
  const from = saved.container.dataset.clinician;
  const to = state.container.dataset.clinician;
  if (to && from && to !== from) {
    body.set("from_clinician", from);
    body.set("to_clinician", to);
  }
  if (override) body.set("override", "1");
  announce("Saving…");
  let answer;
  try {
    const response = await fetch(calendar.dataset.moveUrl.replace("/0/", `/${el.dataset.id}/`), {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      body,
      credentials: "same-origin",
    });
    answer = await response.json();
  } catch {
    answer = { ok: false, message: "The change could not be saved (no answer from the server). Nothing was moved." };
  }
  if (!answer.ok && answer.overridable && window.confirm(`${answer.message}\n\nDouble-book anyway?`)) {
    return save(el, saved, state, true);
  }
  announce(answer.message, !answer.ok);
  if (!answer.ok) restore(el, saved);
  await refresh(el.dataset.id);
}

async function refresh(focusId) {
  // Reload the calendar region so every event shows its saved state (and new version for the next change).
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("calendar");
  if (!fresh) return;
  calendar.replaceChildren(...fresh.childNodes);
  if (focusId) calendar.querySelector(`.event[data-id="${focusId}"]`)?.focus();
}

// --- Pointer: drag to move, drag the lower edge to resize ------------------------------------------------

let drag = null;

calendar.addEventListener("pointerdown", (event) => {
  const el = event.target.closest(".event[data-editable]");
  if (!el || event.button !== 0) return;
  drag = {
    el,
    saved: original(el),
    resize: event.target.classList.contains("resize"),
    x: event.clientX,
    y: event.clientY,
    moved: false,
  };
  drag.state = { start: drag.saved.start, end: drag.saved.end, container: drag.saved.container };
  el.setPointerCapture(event.pointerId);
});

calendar.addEventListener("pointermove", (event) => {
  if (!drag) return;
  const { el, saved, state } = drag;
  if (!drag.moved && Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < 5) return;
  drag.moved = true;
  el.classList.add("dragging");
  const under = document.elementsFromPoint(event.clientX, event.clientY);
  const container = under.find((node) => node !== el && targets().includes(node)) || state.container;
  if (!drag.resize && container !== state.container) retarget(state, container);
  if (isGrid(state.container)) {
    const pixelsPerMinute = gridPixelsPerMinute(state.container);
    const minutes = Math.round((event.clientY - drag.y) / pixelsPerMinute / STEP) * STEP;
    if (drag.resize) {
      state.end = Math.max(saved.start + STEP * MINUTE, saved.end + minutes * MINUTE);
    } else {
      const length = saved.end - saved.start;
      const base = parse(state.container.dataset.date) + (saved.start - parse(dayPart(saved.start)));
      state.start = base + minutes * MINUTE;
      state.end = state.start + length;
    }
  }
  place(el, state);
});

function gridPixelsPerMinute(container) {
  const rows = getComputedStyle(container).gridTemplateRows.split(" ").length;
  return container.getBoundingClientRect().height / (rows * ROW);
}

function endDrag(event, cancelled) {
  if (!drag) return;
  const { el, saved, state, moved } = drag;
  drag = null;
  el.classList.remove("dragging");
  if (el.hasPointerCapture(event.pointerId)) el.releasePointerCapture(event.pointerId);
  if (!moved) return;
  el.dataset.dragged = "1";
  if (cancelled) return restore(el, saved);
  save(el, saved, state);
}

// Links are natively draggable; that drag would cancel ours.
calendar.addEventListener("dragstart", (event) => event.preventDefault());
calendar.addEventListener("pointerup", (event) => endDrag(event, false));
calendar.addEventListener("pointercancel", (event) => endDrag(event, true));
calendar.addEventListener("click", (event) => {
  const el = event.target.closest(".event");
  if (el && el.dataset.dragged) {
    event.preventDefault();
    delete el.dataset.dragged;
  }
});

// --- Keyboard: Space picks up, arrows move, Shift+Up/Down resizes, Enter drops, Escape cancels ---------------

let grabbed = null;

function neighbour(container, direction) {
  const all = targets();
  if (isGrid(container) || container.closest(".month")) {
    return all[all.indexOf(container) + direction] || null;
  }
  // The week table: Left/Right stay in the clinician's row.
  const row = [...container.parentElement.querySelectorAll(".cal-cell")];
  return row[row.indexOf(container) + direction] || null;
}

calendar.addEventListener("keydown", (event) => {
  const el = event.target.closest(".event[data-editable]");
  if (!el) return;
  const key = event.key;
  if (!grabbed || grabbed.el !== el) {
    if (key === " ") {
      event.preventDefault();
      const saved = original(el);
      grabbed = { el, saved, state: { start: saved.start, end: saved.end, container: saved.container } };
      el.classList.add("grabbed");
      el.setAttribute("aria-grabbed", "true");
      announce(`Picked up ${clock(saved.start)}–${clock(saved.end)}. Arrow keys move it, Shift with Up or Down changes its length, Enter drops it, Escape cancels.`);
    }
    return;
  }
  const { saved, state } = grabbed;
  const finish = () => {
    el.classList.remove("grabbed");
    el.removeAttribute("aria-grabbed");
    grabbed = null;
  };
  if (key === "Escape") {
    event.preventDefault();
    finish();
    restore(el, saved);
    el.focus();
    announce("Move cancelled.");
  } else if (key === "Enter" || key === " ") {
    event.preventDefault();
    finish();
    save(el, saved, state);
  } else if (key === "ArrowUp" || key === "ArrowDown") {
    event.preventDefault();
    const delta = (key === "ArrowUp" ? -STEP : STEP) * MINUTE;
    if (event.shiftKey) {
      state.end = Math.max(state.start + STEP * MINUTE, state.end + delta);
    } else {
      state.start += delta;
      state.end += delta;
    }
    place(el, state);
    el.focus();
    announce(`${dayPart(state.start)} ${clock(state.start)}–${clock(state.end)}`);
  } else if (key === "ArrowLeft" || key === "ArrowRight") {
    event.preventDefault();
    const next = neighbour(state.container, key === "ArrowLeft" ? -1 : 1);
    if (!next) return;
    retarget(state, next);
    place(el, state);
    el.focus();
    const where = next.closest("section")?.getAttribute("aria-label") || dayPart(state.start);
    announce(`${where}: ${dayPart(state.start)} ${clock(state.start)}–${clock(state.end)}`);
  }
});
