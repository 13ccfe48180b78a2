// OllamaFlow dashboard: plain JavaScript over the admin API (/v1.0/...). The admin token lives in
// sessionStorage for this tab only and is sent as a bearer token. Nothing secret is rendered, except
// a new API key's secret: shown once in its own dialog, and cleared from the page when that closes.
"use strict";

const REFRESH_MS = 2000;
const TOKEN_KEY = "ollamaflow.adminToken";
const API = new URL("../v1.0/", document.baseURI.endsWith("/") ? document.baseURI : document.baseURI + "/").href;
const $ = (selector) => document.querySelector(selector);
let refreshTimer = null;
let lastFrontends = [];
let lastBackends = [];

/** An answer of the admin API that is not a success; carries its status and OllamaFlow's Description. */
class AdminError extends Error {
  constructor(status, description) {
    super(description || ("HTTP " + status));
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { "Authorization": "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new AdminError(response.status, json && (json.Description || json.Message));
  return json;
}

// ---- rendering helpers ----

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function ago(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return seconds + " s ago";
  if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

function button(label, action, id, extraClass) {
  return el("button", { type: "button", class: extraClass, dataset: { action, id }, onclick: () => actions[action](id) }, label);
}

/**
 * Requests per 10 s bucket over the last five minutes, as an inline SVG bar chart; {@code max} is
 * the busiest bucket of any backend, so the bars of different backends compare.
 */
function sparkline(traffic, max) {
  const width = 150, height = 28;
  const bar = width / Math.max(1, traffic.length);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  traffic.forEach((b, i) => {
    const h = b.Requests === 0 ? 0 : Math.max(2, (b.Requests / max) * height);
    const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    rect.setAttribute("x", (i * bar).toFixed(1));
    rect.setAttribute("y", (height - h).toFixed(1));
    rect.setAttribute("width", Math.max(1, bar - 1).toFixed(1));
    rect.setAttribute("height", h.toFixed(1));
    rect.setAttribute("fill", b.Errors > 0 ? "#c0392b" : "#2d5be3");
    svg.append(rect);
  });
  return svg;
}

/** Rate, mean latency and mean time to first byte over the last minute (the last six buckets). */
function lastMinute(traffic) {
  const recent = traffic.slice(-6);
  const requests = recent.reduce((n, b) => n + b.Requests, 0);
  const seconds = recent.reduce((n, b) => n + b.Seconds, 0) || 60;
  const mean = (field) => requests === 0 ? null : recent.reduce((n, b) => n + b[field] * b.Requests, 0) / requests;
  return { rate: requests / seconds, latency: mean("MeanLatencyMs"), ttft: mean("MeanTtftMs") };
}

function ms(value) {
  return value === null ? "–" : value < 1000 ? value.toFixed(0) + " ms" : (value / 1000).toFixed(2) + " s";
}

function renderBackends(backends) {
  const busiest = Math.max(1, ...backends.flatMap((b) => (b.Traffic || []).map((t) => t.Requests)));
  const rows = backends.map((b) => {
    const state = (b.HealthState || "Unknown").toLowerCase();
    const since = b.HealthySinceUtc || b.UnhealthySinceUtc;
    const minute = lastMinute(b.Traffic || []);
    const pulls = (b.ModelPulls || []).filter((p) => p.State === "PULLING" || p.State === "QUEUED");
    return el("tr", { class: b.Active ? null : "inactive", dataset: { backend: b.Identifier } },
      el("td", {},
        el("strong", {}, b.Identifier), b.Name ? el("div", { class: "sub" }, b.Name) : null,
        el("div", { class: "sub" }, (b.Ssl ? "https://" : "http://") + b.Hostname + ":" + b.Port + " · " + b.ApiFormat),
        (b.Labels || []).length ? el("div", { class: "sub" }, "labels: " + b.Labels.join(", ")) : null),
      el("td", { class: "health" },
        el("span", { class: "badge " + state }, b.HealthState || "Unknown"),
        b.Active ? null : el("span", { class: "badge drained" }, "drained"),
        since ? el("div", { class: "sub" }, "since " + ago(since)) : null,
        b.LastError ? el("div", { class: "error-text" }, "last error: " + b.LastError) : null),
      el("td", { class: "load" },
        el("div", {}, el("span", { class: "in-flight" }, b.ActiveRequests), " in flight / limit ", b.ConcurrencyLimit),
        b.ExternalLoad ? el("div", { class: "sub" }, b.ExternalLoad + " from elsewhere") : null,
        el("div", { class: "sub" }, "max parallel " + b.MaxParallelRequests)),
      el("td", { class: "models" },
        b.ModelsKnown ? (b.Models || []).map((m) => el("span", { class: "model" + (m.Loaded ? " loaded" : "") }, m.Name))
          : el("span", { class: "sub" }, "not listed yet"),
        pulls.map((p) => el("div", { class: "sub" }, "pulling " + p.Model + ": " + p.Status
          + (p.Total > 0 ? " " + Math.round(100 * p.Completed / p.Total) + "%" : "")))),
      el("td", { class: "traffic", dataset: { requests: (b.Traffic || []).reduce((n, t) => n + t.Requests, 0) } },
        sparkline(b.Traffic || [], busiest),
        el("div", { class: "sub rate" }, minute.rate.toFixed(2) + " req/s · " + ms(minute.latency) + " · TTFT " + ms(minute.ttft))),
      el("td", { class: "actions" },
        b.Active ? button("Drain", "drain", b.Identifier) : button("Activate", "activate", b.Identifier),
        button("Edit", "editBackend", b.Identifier),
        button("Delete", "deleteBackend", b.Identifier, "danger")));
  });
  $("#backends tbody").replaceChildren(...rows);
}

function renderFrontends(frontends, sessions, queues) {
  const rows = frontends.map((f) => {
    const count = sessions.filter((s) => s.FrontendId === f.Identifier).length;
    const queue = queues.find((q) => q.Identifier === f.Identifier);
    return el("tr", { class: f.Active ? null : "inactive", dataset: { frontend: f.Identifier } },
      el("td", {}, el("strong", {}, f.Identifier), f.Name ? el("div", { class: "sub" }, f.Name) : null),
      el("td", {}, f.Hostname),
      el("td", {}, f.LoadBalancing),
      el("td", {}, (f.Backends || []).join(", ")),
      el("td", { class: "queued" }, queue ? String(queue.Queued) : "0"),
      el("td", {}, f.UseStickySessions ? count + " active" : "off"),
      el("td", {}, f.RequireApiKey ? "required" : "not required"),
      el("td", { class: "actions" },
        f.UseStickySessions ? button("Clear sessions", "clearSessions", f.Identifier) : null,
        button("Edit", "editFrontend", f.Identifier),
        button("Delete", "deleteFrontend", f.Identifier, "danger")));
  });
  $("#frontends tbody").replaceChildren(...rows);
}

function limits(k) {
  const parts = [];
  if (k.RequestsPerMinute) parts.push(k.RequestsPerMinute + " req/min");
  if (k.TokensPerMinute) parts.push(k.TokensPerMinute + " tokens/min");
  if (k.MaxConcurrentRequests) parts.push(k.MaxConcurrentRequests + " at once");
  return parts.length ? parts.join(" · ") : "no limits";
}

function renderApiKeys(keys) {
  const rows = keys.map((k) => {
    const u = k.Usage || {};
    const expired = k.ExpiresUtc && Date.parse(k.ExpiresUtc) <= Date.now();
    return el("tr", { class: k.Active && !expired ? null : "inactive", dataset: { apikey: k.Identifier } },
      el("td", {},
        el("strong", {}, k.Identifier), k.Name ? el("div", { class: "sub" }, k.Name) : null,
        el("div", { class: "sub" }, el("code", { class: "prefix" }, k.KeyPrefix + "…")),
        k.Active ? null : el("span", { class: "badge inactive-key" }, "inactive"),
        expired ? el("span", { class: "badge expired" }, "expired") : null,
        k.ExpiresUtc && !expired ? el("div", { class: "sub" }, "expires " + new Date(k.ExpiresUtc).toLocaleString()) : null),
      el("td", {}, (k.Frontends || []).length ? k.Frontends.join(", ") : "any"),
      el("td", {}, (k.Models || []).length ? k.Models.join(", ") : "any"),
      el("td", { class: "limits" }, limits(k)),
      el("td", { class: "usage" },
        el("div", {}, (u.Requests || 0) + " requests"),
        el("div", { class: "sub" }, (u.PromptTokens || 0) + " tokens in · " + (u.CompletionTokens || 0) + " out"),
        u.Refusals ? el("div", { class: "sub" }, u.Refusals + " refused") : null,
        u.LastUsedUtc ? el("div", { class: "sub" }, "last used " + ago(u.LastUsedUtc)) : null),
      el("td", { class: "actions" },
        k.Active ? button("Deactivate", "deactivateKey", k.Identifier) : button("Activate", "activateKey", k.Identifier),
        button("Rotate", "rotateKey", k.Identifier),
        button("Edit", "editApiKey", k.Identifier),
        button("Delete", "deleteApiKey", k.Identifier, "danger")));
  });
  $("#apikeys tbody").replaceChildren(...rows);
}

/** Shows a secret the server issued, once; closing the dialog removes it from the page. */
function showSecret(title, secret) {
  $("#secret-title").textContent = title;
  $("#secret-value").value = secret;
  $("#secret-copied").textContent = "";
  $("#secret-dialog").showModal();
  $("#secret-value").select();
}

async function copySecret() {
  const input = $("#secret-value");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    $("#secret-copied").textContent = "Copied to the clipboard.";
  } catch (e) {
    // Clipboard access needs a secure context and permission; the text is selected for Ctrl+C instead.
    $("#secret-copied").textContent = "The browser did not allow copying: the key is selected, press Ctrl+C (⌘C).";
  }
}

function closeSecret() {
  $("#secret-value").value = "";
  $("#secret-dialog").close();
}

// ---- refresh loop and errors ----

function showBanner(message, notice) {
  const banner = $("#banner");
  banner.textContent = message;
  banner.className = "banner" + (notice ? " notice" : "");
  banner.hidden = !message;
}

async function refresh() {
  clearTimeout(refreshTimer);
  try {
    const [backends, frontends, sessions, keys, queues] = await Promise.all([api("GET", "backends/health"),
      api("GET", "frontends"), api("GET", "sessions"), api("GET", "apikeys"), api("GET", "frontends/queues")]);
    lastBackends = backends;
    lastFrontends = frontends;
    renderBackends(backends);
    renderFrontends(frontends, sessions, queues);
    renderApiKeys(keys);
    showBanner("");
    $("#status").textContent = backends.length + " backends · " + frontends.length + " frontends · updated "
      + new Date().toLocaleTimeString();
  } catch (e) {
    if (handleSessionError(e)) return;
  }
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

/** Explains a failed call in words the user can act on; true when the user must sign in again. */
function handleSessionError(e) {
  if (e instanceof AdminError && e.status === 401) {
    signOut("The admin token was not accepted (401). Use one of the AdminBearerTokens of this server's ollamaflow.json.");
    return true;
  }
  if (e instanceof AdminError) {
    showBanner("The server answered " + e.status + ": " + e.message);
  } else {
    showBanner("Cannot reach OllamaFlow at " + location.origin + ": the server is stopped, restarting or unreachable. "
      + "Retrying every " + REFRESH_MS / 1000 + " s; the figures below are from the last successful update.");
    $("#status").textContent = "offline";
  }
  return false;
}

function signOut(message) {
  clearTimeout(refreshTimer);
  sessionStorage.removeItem(TOKEN_KEY);
  $("#app").hidden = true;
  $("#sign-out").hidden = true;
  $("#login").hidden = false;
  $("#status").textContent = "";
  $("#login-error").textContent = message || "";
  showBanner("");
  $("#token").value = "";
  $("#token").focus();
}

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    await api("GET", "frontends");
  } catch (e) {
    if (e instanceof AdminError && e.status === 401) {
      signOut("That token was not accepted (401). Use one of the AdminBearerTokens of this server's ollamaflow.json.");
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
      $("#login-error").textContent = e instanceof AdminError ? "The server answered " + e.status + ": " + e.message
        : "Cannot reach OllamaFlow at " + location.origin + ": is the server running?";
    }
    return;
  }
  $("#login").hidden = true;
  $("#app").hidden = false;
  $("#sign-out").hidden = false;
  $("#login-error").textContent = "";
  refresh();
}

// ---- editor: one form for frontends, backends and API keys, with the API's validation next to the field ----

const BACKEND_FIELDS = [
  { name: "Identifier", label: "Identifier", type: "text", createOnly: true },
  { name: "Name", label: "Name", type: "text" },
  { name: "Hostname", label: "Hostname", type: "text" },
  { name: "Port", label: "Port", type: "number" },
  { name: "Ssl", label: "HTTPS", type: "checkbox" },
  { name: "ApiFormat", label: "API format", type: "select", options: ["Ollama", "OpenAI"] },
  { name: "MaxParallelRequests", label: "Max parallel requests", type: "number" },
  { name: "Labels", label: "Labels (comma-separated)", type: "list" },
  { name: "Active", label: "Active (in rotation)", type: "checkbox" },
];
const FRONTEND_FIELDS = [
  { name: "Identifier", label: "Identifier", type: "text", createOnly: true },
  { name: "Name", label: "Name", type: "text" },
  { name: "Hostname", label: "Hostname (* for any)", type: "text" },
  { name: "LoadBalancing", label: "Load balancing", type: "select",
    options: ["RoundRobin", "Random", "least-requests", "model-affinity"] },
  { name: "Backends", label: "Backends (comma-separated identifiers)", type: "list" },
  { name: "UseStickySessions", label: "Sticky sessions", type: "checkbox" },
  { name: "RequireApiKey", label: "Require an API key on inference routes", type: "checkbox" },
  { name: "Active", label: "Active", type: "checkbox" },
];
const API_KEY_FIELDS = [
  { name: "Identifier", label: "Identifier", type: "text", createOnly: true },
  { name: "Name", label: "Name", type: "text" },
  { name: "Frontends", label: "Frontends (comma-separated identifiers; empty for any)", type: "list" },
  { name: "Models", label: "Models (comma-separated names or globs such as llama3*; empty for any)", type: "list" },
  { name: "RequestsPerMinute", label: "Requests per minute (0 or empty: no limit)", type: "number" },
  { name: "TokensPerMinute", label: "Tokens per minute (0 or empty: no limit)", type: "number" },
  { name: "MaxConcurrentRequests", label: "Requests at once (0 or empty: no limit)", type: "number" },
  { name: "ExpiresUtc", label: "Expires (UTC, e.g. 2026-12-31T00:00:00Z; empty: never)", type: "text" },
  { name: "Active", label: "Active", type: "checkbox" },
];
/** What the editor edits: its fields, where the API keeps it, and a new object's values. */
const KINDS = {
  backend: { fields: BACKEND_FIELDS, collection: "backends",
    defaults: { Hostname: "localhost", Port: 11434, ApiFormat: "Ollama", MaxParallelRequests: 4, Active: true } },
  frontend: { fields: FRONTEND_FIELDS, collection: "frontends",
    defaults: { Hostname: "*", LoadBalancing: "RoundRobin", Active: true } },
  "API key": { fields: API_KEY_FIELDS, collection: "apikeys", defaults: { Active: true } },
};

let editing = null;

function openEditor(kind, original) {
  const fields = KINDS[kind].fields;
  editing = { kind, original, fields };
  $("#editor-title").textContent = (original ? "Edit " : "Add ") + kind + (original ? " " + original.Identifier : "");
  $("#editor-error").textContent = "";
  const values = original || KINDS[kind].defaults;
  $("#editor-fields").replaceChildren(...fields.filter((f) => !(f.createOnly && original)).map((f) => fieldInput(f, values)));
  $("#editor").showModal();
  const first = $("#editor-fields input");
  if (first) first.focus();
}

function fieldInput(field, values) {
  const value = values[field.name];
  const id = "field-" + field.name;
  let input;
  if (field.type === "checkbox") {
    input = el("input", { id, name: field.name, type: "checkbox", checked: value === true });
    return el("div", { class: "field" }, el("label", { class: "check" }, input, field.label),
      el("p", { class: "field-error", dataset: { for: field.name } }));
  }
  if (field.type === "select") {
    const options = field.options.includes(value) || value === undefined ? field.options : [value, ...field.options];
    input = el("select", { id, name: field.name }, options.map((o) => el("option", { value: o, selected: o === value }, o)));
  } else {
    const text = field.type === "list" ? (value || []).join(", ") : value === undefined || value === null ? "" : value;
    input = el("input", { id, name: field.name, type: field.type === "number" ? "number" : "text", value: text });
  }
  return el("div", { class: "field" }, el("label", { for: id }, field.label, input),
    el("p", { class: "field-error", dataset: { for: field.name } }));
}

function formValues() {
  // Start from the object as the API showed it: fields the form does not show are sent back unchanged
  // (secrets come back as the redaction placeholder, which the server keeps as stored).
  const body = Object.assign({}, editing.original || {});
  for (const field of editing.fields) {
    const input = document.getElementById("field-" + field.name);
    if (!input) continue;
    if (field.type === "checkbox") body[field.name] = input.checked;
    else if (field.type === "number") body[field.name] = input.value === "" ? null : Number(input.value);
    else if (field.type === "list") body[field.name] = input.value.split(",").map((s) => s.trim()).filter((s) => s);
    else if (field.name === "ExpiresUtc") body[field.name] = input.value.trim() === "" ? null : input.value.trim();
    else body[field.name] = input.value;
  }
  // The health view's fields are not a backend's settings (an API key's Models are, so only backends lose them).
  const derivedFields = editing.kind !== "backend" ? [] : ["HealthState", "Healthy", "HealthySinceUtc",
    "UnhealthySinceUtc", "LastError", "ActiveRequests", "ConcurrencyLimit", "ExternalLoad", "ModelsKnown", "Models",
    "DigestConflicts", "ModelPulls", "Traffic"];
  for (const derived of derivedFields) delete body[derived];
  return body;
}

/** Puts the API's validation message under the field it names ("Port: 0 (expected ...)"), else atop the form. */
function showValidation(message) {
  document.querySelectorAll("#editor .field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("#editor .invalid").forEach((i) => i.classList.remove("invalid"));
  const named = /^([A-Za-z]+)[:.\[ ]/.exec(message || "");
  let field = named && editing.fields.find((f) => f.name.toLowerCase() === named[1].toLowerCase());
  if (!field && /identifier '/i.test(message || "")) field = editing.fields.find((f) => f.name === "Identifier");
  const slot = field && document.querySelector('#editor .field-error[data-for="' + field.name + '"]');
  if (slot) {
    slot.textContent = message;
    document.getElementById("field-" + field.name).classList.add("invalid");
  } else {
    $("#editor-error").textContent = message;
  }
}

async function saveEditor(event) {
  event.preventDefault();
  const body = formValues();
  const collection = KINDS[editing.kind].collection;
  let saved;
  try {
    if (editing.original) saved = await api("PUT", collection + "/" + encodeURIComponent(editing.original.Identifier), body);
    else saved = await api("PUT", collection, body);
  } catch (e) {
    if (e instanceof AdminError && e.status === 401) { $("#editor").close(); handleSessionError(e); return; }
    if (e instanceof AdminError) showValidation(e.message);
    else $("#editor-error").textContent = "Cannot reach OllamaFlow: nothing was saved. Try again when the server is back.";
    return;
  }
  $("#editor").close();
  showBanner((editing.original ? "Saved " : "Created ") + editing.kind + " " + saved.Identifier + ".", true);
  if (saved.Secret) showSecret("API key " + saved.Identifier + " created", saved.Secret);
  refresh();
}

// ---- actions ----

async function act(work, done) {
  try {
    await work();
    if (done) showBanner(done, true);
  } catch (e) {
    if (handleSessionError(e)) return;
  }
  refresh();
}

async function setActive(collection, id, active) {
  const object = await api("GET", collection + "/" + encodeURIComponent(id));
  object.Active = active;
  await api("PUT", collection + "/" + encodeURIComponent(id), object);
}

async function rotate(id) {
  const rotated = await api("POST", "apikeys/" + encodeURIComponent(id) + "/rotate");
  showSecret("New secret for API key " + id, rotated.Secret);
}

const actions = {
  drain: (id) => act(() => setActive("backends", id, false), "Backend " + id + " drained: no new requests go to it; requests under way finish."),
  activate: (id) => act(() => setActive("backends", id, true), "Backend " + id + " is back in rotation."),
  deactivateKey: (id) => act(() => setActive("apikeys", id, false), "API key " + id + " deactivated: requests with it are refused."),
  activateKey: (id) => act(() => setActive("apikeys", id, true), "API key " + id + " is active again."),
  rotateKey: (id) => {
    if (confirm("Give API key " + id + " a new secret? The current one stops working at once.")) {
      act(() => rotate(id), "API key " + id + " has a new secret.");
    }
  },
  editApiKey: async (id) => {
    try { openEditor("API key", await api("GET", "apikeys/" + encodeURIComponent(id))); } catch (e) { handleSessionError(e); }
  },
  deleteApiKey: (id) => {
    if (confirm("Delete API key " + id + "? Clients using it are refused from the next request.")) {
      act(() => api("DELETE", "apikeys/" + encodeURIComponent(id)), "Deleted API key " + id + ".");
    }
  },
  editBackend: async (id) => {
    try { openEditor("backend", await api("GET", "backends/" + encodeURIComponent(id))); } catch (e) { handleSessionError(e); }
  },
  editFrontend: async (id) => {
    try { openEditor("frontend", await api("GET", "frontends/" + encodeURIComponent(id))); } catch (e) { handleSessionError(e); }
  },
  deleteBackend: (id) => {
    if (confirm("Delete backend " + id + "?")) act(() => api("DELETE", "backends/" + encodeURIComponent(id)), "Deleted backend " + id + ".");
  },
  deleteFrontend: (id) => {
    if (confirm("Delete frontend " + id + "?")) act(() => api("DELETE", "frontends/" + encodeURIComponent(id)), "Deleted frontend " + id + ".");
  },
  clearSessions: (id) => act(() => api("DELETE", "sessions?frontend=" + encodeURIComponent(id)), "Ended the sticky sessions of " + id + "."),
};

// ---- start ----

$("#login-form").addEventListener("submit", (event) => { event.preventDefault(); signIn($("#token").value.trim()); });
$("#sign-out").addEventListener("click", () => signOut(""));
$("#add-backend").addEventListener("click", () => openEditor("backend", null));
$("#add-frontend").addEventListener("click", () => openEditor("frontend", null));
$("#add-apikey").addEventListener("click", () => openEditor("API key", null));
$("#secret-copy").addEventListener("click", copySecret);
$("#secret-done").addEventListener("click", closeSecret);
$("#secret-dialog").addEventListener("close", () => { $("#secret-value").value = ""; });
$("#editor-form").addEventListener("submit", saveEditor);
$("#editor-cancel").addEventListener("click", () => $("#editor").close());
if (sessionStorage.getItem(TOKEN_KEY)) signIn(sessionStorage.getItem(TOKEN_KEY));
else signOut("");
