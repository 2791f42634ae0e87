/*
 * Shared by the chat widget (widget.js) and the kiosk (kiosk.js): DOM helpers, the help-line
 * checks, networking with a time limit, and the rendering of a reply, its safety_note and its
 * citations. esbuild bundles each front end with this module into one file (make build).
 * Everything that comes from the API is inserted with textContent, never innerHTML.
 */

// Build an element; `props` sets attributes, except `text` (textContent) and `class`.
export function h(tag, props, ...kids) {
  const node = document.createElement(tag);
  if (props) {
    for (const key of Object.keys(props)) {
      const value = props[key];
      if (value == null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const kid of kids) {
    if (kid == null || kid === false) continue;
    node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
  }
  return node;
}

// A one-path line icon, hidden from screen readers.
export function svgIcon(pathD, cls) {
  const ns = "http://www.w3.org/2000/svg";
  const icon = document.createElementNS(ns, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  icon.setAttribute("class", cls);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", pathD);
  icon.appendChild(path);
  return icon;
}

export function str(value) {
  return typeof value === "string" ? value : "";
}

export function isSpanish(reply) {
  return /-es$/.test(str(reply.id)) || (reply.kind === "fallback" && /^Por ahora/.test(str(reply.answer)));
}

export function isReply(data) {
  return !!data && typeof data === "object" && typeof data.answer === "string" && typeof data.kind === "string";
}

// The help lines come from the vetted content (a reply's `actions`, a note's, a 429's
// `resources`): tel:, sms: and https: only; anything else is refused, not shown.
export function actionHref(value) {
  const href = str(value).trim();
  if (/^tel:\+?\d[\d-]*$/i.test(href) || /^sms:\+?\d[\d-]*(\?body=[\w%+.-]*)?$/i.test(href)) return href;
  if (!/^https:/i.test(href)) return null;
  try {
    const u = new URL(href);
    return u.protocol === "https:" && !u.username && !u.password ? href : null;
  } catch {
    return null;
  }
}

// An 11- or 10-digit number reads as 1-NNN-NNN-NNNN or NNN-NNN-NNNN; short numbers stay as they are.
export function readableNumber(href) {
  const digits = href
    .replace(/^[a-z]+:/i, "")
    .split("?")[0]
    .replace(/[^\d+]/g, "");
  const m = digits.match(/^(1?)(\d{3})(\d{3})(\d{4})$/);
  return m ? (m[1] ? "1-" : "") + m[2] + "-" + m[3] + "-" + m[4] : digits;
}

const MONTHS = "January February March April May June July August September October November December".split(" ");

// "2026-01-15" reads as "January 2026"; anything else as nothing.
export function monthYear(iso) {
  const m = /^(\d{4})-(\d{2})-\d{2}$/.exec(str(iso));
  return m && +m[2] >= 1 && +m[2] <= 12 ? MONTHS[+m[2] - 1] + " " + m[1] : "";
}

// ---------------------------------------------------------------- networking
// The request for a reply: a picked entry by id (GET), a typed question (POST /api/ask).
export function replyRequest(api, job) {
  if (job.entry) return { url: api + "/api/entries/" + encodeURIComponent(job.entry), init: { method: "GET" } };
  return {
    url: api + "/api/ask",
    init: {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: job.question }),
    },
  };
}

// fetch with a time limit. Resolves to {response, data} (data null when the body is not JSON);
// rejects with "timeout" or "network". `controller` aborts it (a reset, a new conversation).
export function fetchJson(url, init, timeoutMs) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(function () {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const promise = fetch(url, Object.assign({ cache: "no-store" }, init, { signal: controller.signal }))
    .then(function (response) {
      return response.json().then(
        function (data) {
          return { response: response, data: data };
        },
        function () {
          return { response: response, data: null };
        }
      );
    })
    .catch(function () {
      throw timedOut ? "timeout" : "network";
    })
    .finally(function () {
      clearTimeout(timer);
    });
  return { promise: promise, controller: controller };
}

// What to say when a request fails, and whether "Try again" can help.
export function failure(job, status, data, text) {
  if (status === "timeout") return { message: text.slow, retry: true };
  if (status === 429) return { message: text.busy, retry: true };
  if (status === 404 && job.entry) return { message: text.gone, retry: false };
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { message: (data && data.error && str(data.error.message)) || text.failed, retry: false };
  }
  return { message: text.failed, retry: true };
}

// ---------------------------------------------------------------- a reply
// The frame of a reply: its classes (kind; a safety reply is urgent, a dosing one calmer) and language.
// In a Spanish reply, the front end's own English words say so (`en`), for screen readers and voices.
export function replyFrame(reply, tag, baseClass) {
  const kind = str(reply.kind);
  const id = str(reply.id);
  const safety = kind === "safety";
  const es = isSpanish(reply);
  let cls = baseClass + " kind-" + (/^[a-z]+$/.test(kind) ? kind : "other");
  const urgent = safety && id.replace(/-es$/, "") !== "safety-dosing";
  if (safety) cls += urgent ? " urgent" : " caution";
  return {
    node: h(tag, { class: cls, lang: es && "es" }),
    kind: kind,
    id: id,
    safety: safety,
    urgent: urgent,
    es: es,
    en: es ? "en" : null,
  };
}

// The concern tier: a short resource line above the answer; null without one.
export function safetyNoteNode(reply, en, helpList) {
  const note = reply.safety_note && typeof reply.safety_note === "object" ? reply.safety_note : null;
  if (!note || !str(note.text)) return null;
  return h(
    "div",
    { class: "safety-note", role: "note", lang: /-es$/.test(str(note.id)) ? "es" : en },
    h("p", { text: note.text }),
    helpList(note.actions)
  );
}

// The matched question (answers only), the one-sentence summary first, then the full answer and its points.
export function answerNodes(reply, questionTag) {
  const nodes = [];
  if (reply.kind === "answer" && str(reply.question)) {
    nodes.push(h(questionTag, { class: "matched", text: reply.question }));
  }
  if (str(reply.summary)) nodes.push(h("p", { class: "summary", text: reply.summary }));
  nodes.push(h("p", { class: "answer", text: str(reply.answer) }));
  const points = (Array.isArray(reply.points) ? reply.points : []).filter(function (p) {
    return typeof p === "string" && p;
  });
  if (points.length) {
    nodes.push(
      h(
        "ul",
        { class: "points" },
        ...points.map(function (p) {
          return h("li", { text: p });
        })
      )
    );
  }
  return nodes;
}

// The evidence label in words, as a badge; null without one.
export function evidenceBadge(reply, labels, prefix) {
  const evidence = str(reply.evidence);
  if (!evidence) return null;
  const ev = /^[a-z-]+$/.test(evidence) ? evidence : "other";
  return h("span", { class: "evidence badge ev-" + ev, text: prefix + (str(labels[evidence]) || evidence) });
}

// The citations as a list: each title (`titleNode` decides link or text), publisher and year,
// then what `after` adds (the kiosk's address as text).
export function citationList(reply, titleNode, after) {
  const list = h("ul", { class: "sources-list" });
  (Array.isArray(reply.citations) ? reply.citations : []).forEach(function (c) {
    if (!c || typeof c !== "object") return;
    const meta = [str(c.publisher), c.year == null ? "" : String(c.year)].filter(Boolean).join(", ");
    const metaNode = meta ? h("span", { class: "meta", text: " — " + meta }) : null;
    list.appendChild(h("li", null, titleNode(c), metaNode, after ? after(c) : null));
  });
  return list.firstChild ? list : null;
}

// The clinician note; a Spanish safety reply's note is Spanish, a fallback's (Spanish only in its first lines) is English.
export function clinicianNote(reply, en) {
  if (!str(reply.clinician_note)) return null;
  return h("p", { class: "note", lang: /-es$/.test(str(reply.id)) ? null : en, text: reply.clinician_note });
}

// Related questions, or the choices of a clarify, fallback or small-talk reply, as buttons
// that carry the entry they ask for.
export function suggestionGroup(reply, options) {
  const suggestions = (Array.isArray(reply.suggestions) ? reply.suggestions : []).filter(function (s) {
    return s && typeof s.id === "string" && typeof s.question === "string";
  });
  if (!suggestions.length) return null;
  const kind = str(reply.kind);
  const isChoice = kind === "clarify" || kind === "fallback" || kind === "smalltalk";
  const label = kind === "clarify" && options.clarify ? options.clarify : isChoice ? options.choices : options.related;
  const group = h(
    "div",
    { class: options.groupClass(isChoice), role: "group", "aria-label": label, lang: options.en },
    h("p", { class: "label", "aria-hidden": "true", text: label })
  );
  suggestions.forEach(function (s) {
    group.appendChild(questionButton(s, options.buttonClass));
  });
  return group;
}

// A button that asks for one entry (the click handler reads `button.entry`).
export function questionButton(entry, cls) {
  const button = h("button", { class: cls, type: "button", text: str(entry.question) });
  button.entry = { id: str(entry.id), question: str(entry.question) };
  return button;
}
