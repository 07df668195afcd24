// Security keys and passkeys (WebAuthn): register one from the Two-step sign-in pages, use one at sign-in.
// The server (accounts/webauthn_views.py) sends options as JSON with base64url byte strings and checks the answer.

const toBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};

const toBase64url = (buffer) => {
  let binary = "";
  new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const csrfToken = () => JSON.parse(document.getElementById("main").getAttribute("data-hx-headers"))["X-CSRFToken"];

const supported = () => Boolean(window.PublicKeyCredential && navigator.credentials);

class ServerError extends Error {}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body || {}),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: the session ended, the rate limit answered, or the server failed.
  }
  if (response.status === 429) throw new ServerError("Too many attempts. Wait a few minutes and try again.");
  if (!response.ok || !data) {
    throw new ServerError((data && data.error) || "Something went wrong. Reload the page and try again.");
  }
  return data;
}

const descriptors = (list) => (list || []).map((item) => ({ ...item, id: toBytes(item.id) }));

function creationOptions(options) {
  return {
    ...options,
    challenge: toBytes(options.challenge),
    user: { ...options.user, id: toBytes(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
}

function requestOptions(options) {
  return { ...options, challenge: toBytes(options.challenge), allowCredentials: descriptors(options.allowCredentials) };
}

// A credential as JSON for the server: what every ceremony sends, with the ceremony's own response fields.
function credentialJSON(credential, response) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    response,
  };
}

function registrationJSON(credential) {
  const response = credential.response;
  return credentialJSON(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    attestationObject: toBase64url(response.attestationObject),
    transports: typeof response.getTransports === "function" ? response.getTransports() : [],
  });
}

function authenticationJSON(credential) {
  const response = credential.response;
  return credentialJSON(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    authenticatorData: toBase64url(response.authenticatorData),
    signature: toBase64url(response.signature),
    userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined,
  });
}

function explain(error, registering) {
  if (error instanceof ServerError) return error.message;
  switch (error && error.name) {
    case "NotAllowedError":
      return "The security key didn't respond: the request was cancelled or timed out. Try again.";
    case "InvalidStateError":
      return registering
        ? "This security key is already registered to your account."
        : "This security key isn't registered to your account.";
    case "SecurityError":
      return "Security keys only work on this clinic's secure (https) address.";
    case "NotSupportedError":
      return "This security key or browser doesn't support what Hearth needs. Try another key or browser.";
    case "AbortError":
      return "The request was cancelled. Try again.";
    default:
      return "Something went wrong with the security key. Try again.";
  }
}

function showMessage(container, text) {
  const message = container.querySelector("[data-webauthn-message]");
  message.textContent = text;
  message.hidden = !text;
}

function setBusy(container, busy) {
  container.querySelectorAll("button, input").forEach((element) => { element.disabled = busy; });
  container.setAttribute("aria-busy", String(busy));
}

async function ceremony(container, registering, run) {
  showMessage(container, "");
  setBusy(container, true);
  try {
    const result = await run();
    window.location.assign(result.redirect);
  } catch (error) {
    setBusy(container, false);
    showMessage(container, explain(error, registering));
  }
}

function setUpRegistration(form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = form.querySelector("input[name=name]").value.trim();
    ceremony(form, true, async () => {
      const options = await post(form.dataset.optionsUrl);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      return post(form.dataset.url, { name, credential: registrationJSON(credential) });
    });
  });
}

function setUpSignIn(container) {
  container.querySelector("button").addEventListener("click", () => {
    ceremony(container, false, async () => {
      const options = await post(container.dataset.optionsUrl);
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      return post(container.dataset.url, { credential: authenticationJSON(credential) });
    });
  });
}

document.querySelectorAll("[data-webauthn]").forEach((container) => {
  if (!supported()) {
    setBusy(container, true);
    showMessage(container, "This browser doesn't support security keys. Use a current Chrome, Edge, Firefox or Safari.");
    return;
  }
  if (container.dataset.webauthn === "register") setUpRegistration(container);
  else if (container.dataset.webauthn === "sign-in") setUpSignIn(container);
});
