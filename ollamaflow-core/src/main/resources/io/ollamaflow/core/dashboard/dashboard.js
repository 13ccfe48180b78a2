// OllamaFlow dashboard: plain JavaScript over the admin API (/v1.0/...). The admin token lives in
// sessionStorage for this tab only and is sent as a bearer token; nothing secret is ever rendered.
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

function renderFrontends(frontends, sessions) {
  const rows = frontends.map((f) => {
    const count = sessions.filter((s) => s.FrontendId === f.Identifier).length;
    return el("tr", { class: f.Active ? null : "inactive", dataset: { frontend: f.Identifier } },
      el("td", {}, el("strong", {}, f.Identifier), f.Name ? el("div", { class: "sub" }, f.Name) : null),
      el("td", {}, f.Hostname),
      el("td", {}, f.LoadBalancing),
      el("td", {}, (f.Backends || []).join(", ")),
      el("td", {}, f.UseStickySessions ? count + " active" : "off"),
      el("td", { class: "actions" },
        f.UseStickySessions ? button("Clear sessions", "clearSessions", f.Identifier) : null,
        button("Edit", "editFrontend", f.Identifier),
        button("Delete", "deleteFrontend", f.Identifier, "danger")));
  });
  $("#frontends tbody").replaceChildren(...rows);
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
    const [backends, frontends, sessions] = await Promise.all([api("GET", "backends/health"), api("GET", "frontends"),
      api("GET", "sessions")]);
    lastBackends = backends;
    lastFrontends = frontends;
    renderBackends(backends);
    renderFrontends(frontends, sessions);
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

// ---- editor: one form for frontends and backends, with the API's validation next to the field ----

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
  { name: "Active", label: "Active", type: "checkbox" },
];

let editing = null;

function openEditor(kind, original) {
  const fields = kind === "backend" ? BACKEND_FIELDS : FRONTEND_FIELDS;
  editing = { kind, original, fields };
  $("#editor-title").textContent = (original ? "Edit " : "Add ") + kind + (original ? " " + original.Identifier : "");
  $("#editor-error").textContent = "";
  const values = original || (kind === "backend"
    ? { Hostname: "localhost", Port: 11434, ApiFormat: "Ollama", MaxParallelRequests: 4, Active: true }
    : { Hostname: "*", LoadBalancing: "RoundRobin", Active: true });
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
    else body[field.name] = input.value;
  }
  for (const derived of ["HealthState", "Healthy", "HealthySinceUtc", "UnhealthySinceUtc", "LastError", "ActiveRequests",
    "ConcurrencyLimit", "ExternalLoad", "ModelsKnown", "Models", "DigestConflicts", "ModelPulls", "Traffic"]) {
    delete body[derived];
  }
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
  const collection = editing.kind === "backend" ? "backends" : "frontends";
  try {
    if (editing.original) await api("PUT", collection + "/" + encodeURIComponent(editing.original.Identifier), body);
    else await api("PUT", collection, body);
  } catch (e) {
    if (e instanceof AdminError && e.status === 401) { $("#editor").close(); handleSessionError(e); return; }
    if (e instanceof AdminError) showValidation(e.message);
    else $("#editor-error").textContent = "Cannot reach OllamaFlow: nothing was saved. Try again when the server is back.";
    return;
  }
  $("#editor").close();
  showBanner((editing.original ? "Saved " : "Created ") + editing.kind + " " + body.Identifier + ".", true);
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

async function setActive(id, active) {
  const backend = await api("GET", "backends/" + encodeURIComponent(id));
  backend.Active = active;
  await api("PUT", "backends/" + encodeURIComponent(id), backend);
}

const actions = {
  drain: (id) => act(() => setActive(id, false), "Backend " + id + " drained: no new requests go to it; requests under way finish."),
  activate: (id) => act(() => setActive(id, true), "Backend " + id + " is back in rotation."),
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
$("#editor-form").addEventListener("submit", saveEditor);
$("#editor-cancel").addEventListener("click", () => $("#editor").close());
if (sessionStorage.getItem(TOKEN_KEY)) signIn(sessionStorage.getItem(TOKEN_KEY));
else signOut("");
