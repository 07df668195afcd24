// Uploads with a progress bar. A form marked data-upload is sent with XMLHttpRequest so its <progress> can
// follow the bytes; without JavaScript the same form posts normally. The server answers like an htmx view: an
// HX-Redirect header when the file was saved, or the page again (with the form's errors) when it was not.
(function () {
  "use strict";

  function setStatus(form, text, isError) {
    const status = form.querySelector("[data-upload-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function showProgress(form, percent) {
    const box = form.querySelector("[data-upload-progress]");
    if (!box) return;
    const bar = box.querySelector("progress");
    box.hidden = false;
    bar.value = percent;
    bar.textContent = percent + "%";
  }

  function replaceRegion(form, html) {
    const regionId = form.dataset.uploadRegion;
    const region = regionId && document.getElementById(regionId);
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(regionId);
    if (!region || !fresh) return false;
    region.replaceWith(fresh);
    const newForm = fresh.querySelector("form[data-upload]");
    if (newForm) enhance(newForm);
    const invalid = fresh.querySelector("[aria-invalid=true], .form-errors");
    if (invalid && invalid.focus) {
      if (!invalid.hasAttribute("tabindex") && invalid.tagName !== "INPUT") invalid.setAttribute("tabindex", "-1");
      invalid.focus();
    }
    return true;
  }

  function enhance(form) {
    if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
    form.addEventListener("submit", function (event) {
      const input = form.querySelector("input[type=file]");
      const file = input && input.files && input.files[0];
      const maxBytes = Number((input && input.dataset.maxBytes) || 0);
      event.preventDefault();
      if (file && maxBytes && file.size > maxBytes) {
        setStatus(form, form.dataset.tooLarge, true);
        input.focus();
        return;
      }
      const button = form.querySelector("button[type=submit]");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        const percent = Math.round((e.loaded / e.total) * 100);
        showProgress(form, percent);
        setStatus(form, "Uploading… " + percent + "%");
      });
      xhr.upload.addEventListener("load", function () {
        showProgress(form, 100);
        setStatus(form, "Upload complete. Checking the file…");
      });
      xhr.addEventListener("load", function () {
        const target = xhr.getResponseHeader("HX-Redirect");
        if (target) {
          setStatus(form, "Saved.");
          window.location.assign(target);
          return;
        }
        if (button) button.disabled = false;
        if (xhr.status === 413) {
          setStatus(form, form.dataset.tooLarge, true);
        } else if (xhr.status >= 400 || !replaceRegion(form, xhr.responseText)) {
          setStatus(form, "The upload failed (" + xhr.status + "). Nothing was saved; try again.", true);
        }
      });
      xhr.addEventListener("error", function () {
        if (button) button.disabled = false;
        setStatus(form, "The connection was lost during the upload. Nothing was saved; try again.", true);
      });
      if (button) button.disabled = true;
      showProgress(form, 0);
      setStatus(form, "Uploading…");
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-upload]").forEach(enhance);
  });
})();
