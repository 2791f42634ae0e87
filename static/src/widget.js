/*
 * ADHD questions chat widget. Embed with one tag:
 *   <script src="https://BOT-HOST/widget.js" defer></script>
 * Options are data- attributes on that tag (see the README): data-api, data-title,
 * data-accent, data-position, data-open, data-timeout, data-starters, data-clinic-name,
 * data-clinic-phone, data-clinic-booking, data-launcher-text.
 * Plain JavaScript, no dependencies, no requests to anyone but the bot's API.
 * Everything that comes from the API is inserted with textContent, never innerHTML.
 * Built by esbuild from static/src/ (make build): edit the sources there, not static/widget.js.
 */
import {
  actionHref,
  answerNodes,
  citationList,
  clinicianNote,
  evidenceBadge,
  failure,
  fetchJson,
  h,
  isReply,
  monthYear,
  questionButton,
  readableNumber,
  replyFrame,
  replyRequest,
  safetyNoteNode,
  str,
  suggestionGroup,
  svgIcon,
} from "./shared.js";

var TAG = "adhd-faq-widget";

// Evidence labels in words (the wording of faq/messages.yaml `evidence_labels`).
var EVIDENCE = {
  established: "Strong evidence",
  limited: "Limited evidence",
  "not-established": "Claim not supported by evidence",
  guidance: "Practical guidance",
};

var TEXT = {
  intro: "Ask a question about ADHD. Answers come from checked health sources.",
  placeholder: "Type your question",
  send: "Send",
  close: "Close chat",
  newChat: "New conversation",
  newChatDone: "New conversation started.",
  loading: "Finding an answer",
  you: "You asked:",
  reply: "Reply:",
  sources: "Sources",
  related: "Related questions",
  choices: "Pick one",
  welcome: "Hi! Pick a question below, or type your own.",
  starters: "Try one of these",
  browse: "Browse all questions",
  browseTitle: "All questions, by topic",
  contactShort: "Contact",
  handoffNone: "For anything else, please talk to your doctor or clinic.",
  handoffWith: "To talk to someone, contact ",
  call: "Call ",
  book: "Book an appointment",
  helpful: "Was this helpful?",
  yes: "Yes",
  no: "No",
  thanks: "Thank you for telling us.",
  thanksNo: "Thank you for telling us. You can ask it another way, or contact the clinic.",
  reviewed: "Last reviewed: ",
  confirmNew: "Clear this conversation and start over?",
  confirmYes: "Yes, start over",
  cancel: "Cancel",
  counter: " of 500 characters",
  retry: "Try again",
  failed: "Sorry, I couldn't get an answer just now. Please check your connection and try again.",
  slow: "Sorry, this is taking too long. Please try again in a moment.",
  busy: "Lots of questions are coming in right now. Please wait a minute, then try again.",
  helpNow: "If you need help now:",
  gone: "Sorry, that question isn't available any more. Please ask it another way.",
};

// ------------------------------------------------------------------ options
function ownScript() {
  if (document.currentScript) return document.currentScript;
  var all = document.querySelectorAll('script[src*="widget.js"]');
  return all.length ? all[all.length - 1] : null;
}

function flag(value) {
  if (value == null) return false;
  return !/^(false|0|no|off)$/i.test(String(value).trim());
}

function readOptions(script) {
  var data = (script && script.dataset) || {};
  var base = script && script.src ? script.src : location.href;
  var api = new URL(base, location.href).origin;
  if (data.api) {
    try {
      var u = new URL(data.api, location.href);
      api = (u.origin + u.pathname).replace(/\/+$/, "");
    } catch {
      /* keep the script's own origin */
    }
  }
  var timeout = parseFloat(data.timeout);
  var starters = String(data.starters || "")
    .split(",")
    .map(function (id) {
      return id.trim();
    })
    .filter(Boolean);
  return {
    api: api,
    css: new URL("widget.css", new URL(base, location.href)).href, // next to widget.js
    title: (data.title || "").trim() || "ADHD questions",
    accent: (data.accent || "").trim(),
    position:
      String(data.position || "right")
        .trim()
        .toLowerCase() === "left"
        ? "left"
        : "right",
    open: flag(data.open),
    timeout: timeout > 0 ? timeout * 1000 : 15000,
    starters: starters,
    clinic: {
      name: (data.clinicName || "").trim(),
      phone: (data.clinicPhone || "").trim(),
      booking_url: (data.clinicBooking || "").trim(),
    },
    launcherText: (data.launcherText || "").trim(),
  };
}

// ------------------------------------------------------------------ helpers
var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
var ICON_CLOSE = "M6 6l12 12M18 6L6 18";

// One tap-to-call, tap-to-text or web link; null for a refused or empty action.
function actionLink(action) {
  var href = action && typeof action === "object" ? actionHref(action.href) : null;
  var label = href ? str(action.label).trim() : "";
  if (!label) return null;
  var web = /^https:/i.test(href);
  var sub = web ? new URL(href).host : readableNumber(href);
  if (label.indexOf(sub) >= 0) sub = ""; // a label that already shows the number needs it only once
  return h(
    "a",
    { class: "call", href: href, target: web && "_blank", rel: web && "noopener noreferrer" },
    h("span", { class: "call-main", text: label }),
    sub ? h("span", { class: "call-sub", text: sub }) : null,
    web ? h("span", { class: "sr-only", text: " (opens in a new tab)" }) : null
  );
}

function actionList(actions, cls) {
  var list = h("ul", { class: cls });
  (Array.isArray(actions) ? actions : []).forEach(function (action) {
    var link = actionLink(action);
    if (link) list.appendChild(h("li", { class: link.target ? "wide" : null }, link)); // a web address takes a row
  });
  return list.firstChild ? list : null;
}

// The clinic's contact: call and booking links when the clinic set them, else one plain line.
function handoffNode(clinic) {
  var c = clinic || {};
  var name = str(c.name).trim();
  var phone = /^\+?[\d\s().-]{3,30}$/.test(str(c.phone)) ? str(c.phone).replace(/[^\d+]/g, "") : "";
  var call = phone && actionLink({ label: TEXT.call + (name || "the clinic"), href: "tel:" + phone });
  var book = actionLink({ label: TEXT.book, href: c.booking_url });
  if (!call && !book) {
    return h("div", { class: "handoff" }, h("p", { text: name ? TEXT.handoffWith + name + "." : TEXT.handoffNone }));
  }
  var list = h("ul", { class: "help calm" });
  if (call) list.appendChild(h("li", null, call));
  if (book) list.appendChild(h("li", { class: "wide" }, book));
  return h("div", { class: "handoff" }, h("p", { text: TEXT.handoffWith + (name || "the clinic") + ":" }), list);
}

// Keep only the reply fields the widget shows (what goes into sessionStorage).
function slim(reply) {
  var note = reply.safety_note && typeof reply.safety_note === "object" ? reply.safety_note : null;
  return {
    kind: str(reply.kind),
    id: str(reply.id),
    question: str(reply.question),
    answer: str(reply.answer),
    citations: Array.isArray(reply.citations) ? reply.citations : [],
    clinician_note: str(reply.clinician_note),
    evidence: str(reply.evidence),
    suggestions: Array.isArray(reply.suggestions) ? reply.suggestions : [],
    actions: Array.isArray(reply.actions) ? reply.actions : [],
    safety_note: note && { id: str(note.id), text: str(note.text), actions: note.actions },
    faq_version: str(reply.faq_version),
    summary: str(reply.summary),
    points: Array.isArray(reply.points) ? reply.points.filter(str) : [],
    reviewed: str(reply.reviewed),
    handoff: reply.handoff === true,
  };
}

// Pick dark or white text for the accent colour, whichever contrasts more.
function textOn(colour, scope) {
  var probe = document.createElement("span");
  probe.style.color = colour;
  scope.appendChild(probe);
  var rgb = (getComputedStyle(probe).color.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
  probe.remove();
  if (rgb.length < 3) return "#fff";
  var lum = rgb.map(function (c) {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  var L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
  return 1.05 / (L + 0.05) >= (L + 0.05) / 0.0556 ? "#fff" : "#111";
}

function reducedMotion() {
  return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

// ------------------------------------------------------------------ widget
class ChatWidget {
  constructor(host, options) {
    this.host = host;
    this.options = options;
    this.storageKey = "adhd-faq-widget:" + options.api;
    this.root = host.attachShadow({ mode: "open" });
    this.messages = this.load();
    this.busy = false;
    this.generation = 0;
    this.pending = null;
    this.clinic = options.clinic;
    this.started = false; // the welcome, starters and topics are fetched on first open
    this.build();
    this.bind();
    this.messages.forEach(this.render, this);
    if (options.open) this.open(false);
  }

  // ---- storage: sessionStorage only (never localStorage or cookies)
  load() {
    try {
      var data = JSON.parse(sessionStorage.getItem(this.storageKey) || "null");
      return data && Array.isArray(data.messages) ? data.messages : [];
    } catch {
      return [];
    }
  }

  save() {
    try {
      if (this.messages.length) {
        this.messages = this.messages.slice(-60);
        sessionStorage.setItem(this.storageKey, JSON.stringify({ v: 1, messages: this.messages }));
      } else {
        sessionStorage.removeItem(this.storageKey);
      }
    } catch {
      /* storage blocked or full: the conversation just won't carry over */
    }
  }

  // ---- DOM
  build() {
    var o = this.options;
    var wrap = h("div", { class: "w " + o.position });
    this.wrap = wrap;
    wrap.style.visibility = "hidden"; // until widget.css has loaded, so nothing flashes unstyled
    var link = h("link", { rel: "stylesheet", href: o.css });
    link.addEventListener("load", function () {
      wrap.style.removeProperty("visibility");
    });
    link.addEventListener("error", function () {
      wrap.style.removeProperty("visibility");
    });

    this.launcher = h(
      "button",
      {
        class: "launcher",
        type: "button",
        "aria-expanded": "false",
        "aria-controls": "panel",
        "aria-haspopup": "dialog",
      },
      svgIcon(ICON_CHAT, "icon"),
      h("span", { class: "launcher-text" }, h("span", { class: "sr-only", text: "Open chat: " }), o.title),
      // data-launcher-text ("Ask"): a short word shown on phones, where the title is hidden.
      o.launcherText ? h("span", { class: "launcher-short", "aria-hidden": "true", text: o.launcherText }) : null
    );

    this.newButton = h("button", { class: "head-btn new", type: "button", text: TEXT.newChat });
    this.contactButton = h(
      "button",
      { class: "head-btn contact", type: "button" },
      TEXT.contactShort,
      h("span", { class: "sr-only", text: " the clinic" })
    );
    this.confirmYes = h("button", { class: "confirm-yes", type: "button", text: TEXT.confirmYes });
    this.confirmNo = h("button", { class: "confirm-no", type: "button", text: TEXT.cancel });
    this.confirmBar = h(
      "div",
      { class: "confirm", role: "group", "aria-labelledby": "confirm-text", hidden: true },
      h("p", { id: "confirm-text", text: TEXT.confirmNew }),
      this.confirmYes,
      this.confirmNo
    );
    this.closeButton = h(
      "button",
      { class: "head-btn close", type: "button", "aria-label": TEXT.close },
      svgIcon(ICON_CLOSE, "icon")
    );
    this.log = h("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    this.status = h("div", { class: "status", role: "status" });
    this.input = h("textarea", {
      id: "q",
      class: "input",
      rows: "1",
      maxlength: "500",
      autocomplete: "off",
      enterkeyhint: "send",
      placeholder: TEXT.placeholder,
      "aria-describedby": "count",
    });
    this.counter = h("span", { id: "count", class: "counter", hidden: true });
    this.sendButton = h("button", { class: "send", type: "button", text: TEXT.send });

    this.panel = h(
      "div",
      { id: "panel", class: "panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "title", hidden: true },
      h(
        "div",
        { class: "head" },
        h("h2", { id: "title", class: "title", text: o.title }),
        h("div", { class: "head-actions" }, this.contactButton, this.newButton, this.closeButton)
      ),
      this.log,
      this.status,
      this.confirmBar,
      h(
        "div",
        { class: "composer" },
        h("label", { class: "sr-only", for: "q", text: "Your question" }),
        this.input,
        this.sendButton,
        this.counter
      )
    );
    // The top of the conversation: what this is, the clinician note (once, pinned), then
    // the welcome and starter questions once they have been fetched.
    this.intro = h("div", { class: "intro" }, h("p", { text: TEXT.intro }));
    this.welcome = h("div", { class: "welcome" });
    this.intro.appendChild(this.welcome);
    this.log.appendChild(this.intro);

    wrap.appendChild(this.panel);
    wrap.appendChild(this.launcher);
    this.root.appendChild(link);
    this.root.appendChild(wrap);

    if (o.accent && window.CSS && CSS.supports("color", o.accent)) {
      wrap.style.setProperty("--accent", o.accent);
      wrap.style.setProperty("--on-accent", textOn(o.accent, this.root));
    }
  }

  bind() {
    var self = this;
    this.launcher.addEventListener("click", function () {
      if (self.isOpen()) self.close();
      else self.open(true);
    });
    this.closeButton.addEventListener("click", function () {
      self.close();
    });
    this.newButton.addEventListener("click", function () {
      self.askNew();
    });
    this.confirmYes.addEventListener("click", function () {
      self.confirmBar.hidden = true;
      self.reset();
    });
    this.confirmNo.addEventListener("click", function () {
      self.confirmBar.hidden = true;
      self.newButton.focus();
    });
    this.contactButton.addEventListener("click", function () {
      self.showContact();
    });
    this.input.addEventListener("input", function () {
      self.grow();
    });
    this.sendButton.addEventListener("click", function () {
      self.submit();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    this.panel.addEventListener("keydown", function (event) {
      self.onKey(event);
    });
    this.log.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button");
      if (!button || !self.log.contains(button)) return;
      if (button.feedback) {
        self.sendFeedback(button.feedback.message, button.feedback.helpful, button.closest(".feedback"));
        return;
      }
      if (self.busy) return;
      if (button.browse) {
        self.browse();
      } else if (button.retryJob) {
        button.closest(".msg").remove();
        self.request(button.retryJob);
      } else if (button.entry) {
        self.choose(button.entry);
      }
    });
    var fit = function () {
      self.fit();
    };
    window.addEventListener("resize", fit);
    if (window.visualViewport) {
      window.visualViewport.addEventListener("resize", fit);
      window.visualViewport.addEventListener("scroll", fit);
    }
  }

  isOpen() {
    return !this.panel.hidden;
  }

  open(moveFocus) {
    this.panel.hidden = false;
    this.wrap.classList.add("open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.fit();
    this.log.scrollTop = this.log.scrollHeight;
    if (moveFocus) this.input.focus();
    this.fetchStart();
  }

  // The welcome: starter questions (data-starters, else the server's), "Browse all
  // questions", the clinic's contact and the clinician note, all from GET /api/topics.
  fetchStart() {
    if (this.started) return;
    this.started = true;
    var self = this;
    fetch(this.options.api + "/api/topics", { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(
        function (data) {
          if (data && Array.isArray(data.categories)) self.renderStart(data);
          else self.started = false;
        },
        function () {
          self.started = false; // try again on the next open
        }
      );
  }

  renderStart(data) {
    var o = this.options;
    var byId = {};
    data.categories.forEach(function (c) {
      (Array.isArray(c && c.entries) ? c.entries : []).forEach(function (e) {
        if (e && typeof e.id === "string" && typeof e.question === "string") byId[e.id] = e;
      });
    });
    this.categories = data.categories;
    var server = data.clinic && typeof data.clinic === "object" ? data.clinic : {};
    this.clinic = {
      name: o.clinic.name || str(server.name),
      phone: o.clinic.phone || str(server.phone),
      booking_url: o.clinic.booking_url || str(server.booking_url),
    };
    if (this.clinic.name) this.contactButton.lastChild.textContent = " " + this.clinic.name;
    var ids = o.starters.length
      ? o.starters
      : (Array.isArray(data.starters) ? data.starters : []).map(function (s) {
          return s && s.id;
        });
    var starters = ids
      .map(function (id) {
        return byId[id];
      })
      .filter(Boolean)
      .slice(0, 6);
    var w = this.welcome;
    w.replaceChildren();
    if (str(data.notice)) w.appendChild(h("p", { class: "draft", text: data.notice }));
    if (str(data.clinician_note)) {
      w.appendChild(h("p", { class: "note pinned", text: data.clinician_note }));
      this.pinnedNote = true;
    }
    var group = h("div", { class: "choices starters", role: "group", "aria-label": TEXT.starters });
    group.appendChild(h("p", { class: "label", text: TEXT.welcome }));
    starters.forEach(function (s) {
      group.appendChild(questionButton(s, "chip"));
    });
    var browse = h("button", { class: "chip browse", type: "button", text: TEXT.browse });
    browse.browse = true;
    group.appendChild(browse);
    w.appendChild(group);
  }

  // Every topic and its questions, as buttons (not kept in the conversation).
  browse() {
    var node = h("div", { class: "msg bot browse-list" }, h("p", { class: "label", text: TEXT.browseTitle }));
    (this.categories || []).forEach(function (c) {
      var entries = Array.isArray(c && c.entries) ? c.entries : [];
      if (!entries.length) return;
      var group = h("div", { class: "related", role: "group", "aria-label": str(c.title) });
      group.appendChild(h("h3", { class: "topic", text: str(c.title) }));
      entries.forEach(function (e) {
        group.appendChild(questionButton(e, "chip"));
      });
      node.appendChild(group);
    });
    this.log.appendChild(node);
    this.reveal(node, false);
  }

  showContact() {
    var node = h("div", { class: "msg bot" }, h("p", { class: "sr-only", text: TEXT.reply }), handoffNode(this.clinic));
    this.log.appendChild(node);
    this.reveal(node, false);
  }

  askNew() {
    if (!this.messages.length) {
      this.reset();
      return;
    }
    this.confirmBar.hidden = false;
    this.confirmYes.focus();
  }

  // The text box grows to four lines; a counter shows near the 500-character limit.
  grow() {
    var box = this.input;
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px"; // widget.css caps it at four lines, then it scrolls
    var n = box.value.length;
    this.counter.hidden = n < 400;
    this.counter.textContent = n + TEXT.counter;
  }

  // "Was this helpful?": counted on the server per entry and content version, nothing else.
  sendFeedback(message, helpful, row) {
    if (!message || message.feedback) return;
    message.feedback = helpful ? "yes" : "no";
    this.save();
    var r = message.reply || {};
    fetch(this.options.api + "/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: r.id, helpful: helpful, faq_version: r.faq_version }),
      credentials: "omit",
      cache: "no-store",
    }).catch(function () {
      /* feedback is best effort */
    });
    if (row) row.replaceWith(this.feedbackDone(message));
  }

  feedbackDone(message) {
    var done = h("div", { class: "feedback done", role: "status" });
    done.appendChild(h("p", { text: message.feedback === "no" ? TEXT.thanksNo : TEXT.thanks }));
    if (message.feedback === "no") done.appendChild(handoffNode(this.clinic));
    return done;
  }

  close() {
    this.panel.hidden = true;
    this.wrap.classList.remove("open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  // Below 480 px the panel fills the screen; follow the visual viewport so the
  // on-screen keyboard never hides the text box.
  fit() {
    var vv = window.visualViewport;
    var small = window.innerWidth < 480;
    if (this.isOpen() && small && vv) {
      this.panel.style.setProperty("height", Math.round(vv.height) + "px");
      this.panel.style.setProperty("top", Math.round(vv.offsetTop) + "px");
    } else {
      this.panel.style.removeProperty("height");
      this.panel.style.removeProperty("top");
    }
  }

  focusables() {
    var list = this.panel.querySelectorAll("a[href], button:not([disabled]), textarea, summary, [tabindex]");
    return Array.prototype.filter.call(list, function (node) {
      return node.tabIndex >= 0 && node.getClientRects().length > 0;
    });
  }

  // Escape closes; Tab and Shift+Tab cycle inside the open panel.
  onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (!this.confirmBar.hidden) {
        this.confirmBar.hidden = true;
        this.newButton.focus();
      } else {
        this.close();
      }
      return;
    }
    if (event.key !== "Tab") return;
    var items = this.focusables();
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = this.root.activeElement;
    if (event.shiftKey && (active === first || !this.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // ---- conversation
  submit() {
    var text = this.input.value.trim();
    if (!text || this.busy) return;
    this.input.value = "";
    this.grow();
    this.add({ role: "user", text: text });
    this.request({ question: text });
  }

  choose(suggestion) {
    if (this.busy) return;
    this.add({ role: "user", text: suggestion.question });
    this.request({ entry: suggestion.id });
  }

  reset() {
    this.generation += 1;
    if (this.pending) this.pending.abort();
    this.setBusy(false);
    this.messages = [];
    this.save();
    // Remove the messages but keep the intro, so it is not announced again.
    while (this.log.lastChild && this.log.lastChild !== this.intro) this.log.lastChild.remove();
    this.input.value = "";
    this.grow();
    this.status.textContent = TEXT.newChatDone;
    this.input.focus();
  }

  add(message) {
    this.messages.push(message);
    this.save();
    var node = this.render(message);
    this.reveal(node, message.role === "user");
  }

  reveal(node, toEnd) {
    // A reply scrolls into view from its start (with the question above it), not from its end.
    var behavior = reducedMotion() ? "auto" : "smooth";
    var before = node && node.previousElementSibling;
    var target = toEnd || !node ? null : before && before.classList.contains("user") ? before : node;
    this.log.scrollTo({ top: target ? target.offsetTop - 8 : this.log.scrollHeight, behavior: behavior });
  }

  setBusy(busy) {
    this.busy = busy;
    this.panel.classList.toggle("busy", busy);
    this.sendButton.setAttribute("aria-disabled", busy ? "true" : "false");
    this.status.replaceChildren();
    if (busy) {
      this.status.appendChild(h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")));
      this.status.appendChild(document.createTextNode(TEXT.loading));
    }
  }

  request(job) {
    var self = this;
    var generation = this.generation;
    var call = replyRequest(this.options.api, job);
    call.init.credentials = "omit";
    var fetched = fetchJson(call.url, call.init, this.options.timeout);
    this.pending = fetched.controller;
    this.setBusy(true);
    fetched.promise
      .then(
        function (result) {
          if (generation !== self.generation) return;
          if (result.response.ok && isReply(result.data)) {
            self.add({ role: "bot", reply: slim(result.data) });
          } else {
            self.fail(job, result.response.status, result.data);
          }
        },
        function (error) {
          if (generation !== self.generation) return;
          self.fail(job, error, null);
        }
      )
      .finally(function () {
        if (generation !== self.generation) return;
        self.pending = null;
        self.setBusy(false);
      });
  }

  // A calm message; a Try again button when trying again can help.
  fail(job, status, data) {
    var said = failure(job, status, data, TEXT);
    var node = h(
      "div",
      { class: "msg bot error" },
      h("p", { class: "sr-only", text: TEXT.reply }),
      h("p", { text: said.message })
    );
    var help = status === 429 && this.resourcesNode(data && data.resources);
    if (help) node.appendChild(help);
    if (said.retry) {
      var button = h("button", { class: "retry", type: "button", text: TEXT.retry });
      button.retryJob = job;
      node.appendChild(button);
    }
    this.log.appendChild(node);
    this.reveal(node, false); // from its start: the message, then the help lines
  }

  // The help lines a 429 carries: each line's text and its tap-to-call link.
  resourcesNode(resources) {
    var list = h("ul", { class: "resources" });
    (Array.isArray(resources) ? resources : []).forEach(function (r) {
      if (!r || typeof r !== "object") return;
      var link = actionLink(r);
      if (str(r.text) || link) list.appendChild(h("li", null, str(r.text) ? h("p", { text: r.text }) : null, link));
    });
    if (!list.firstChild) return null;
    return h("div", { class: "help-now" }, h("p", { class: "label", text: TEXT.helpNow }), list);
  }

  // Build a message off-screen and append it once, so it is announced once.
  render(message) {
    var node = message.role === "user" ? this.userNode(message) : this.botNode(message.reply || {}, message);
    this.log.appendChild(node);
    return node;
  }

  userNode(message) {
    return h(
      "div",
      { class: "msg user" },
      h("p", { class: "sr-only", text: TEXT.you }),
      h("p", { class: "text", text: str(message.text) })
    );
  }

  botNode(reply, message) {
    var frame = replyFrame(reply, "div", "msg bot");
    var node = frame.node;
    var en = frame.en;
    node.appendChild(h("p", { class: "sr-only", lang: en, text: TEXT.reply }));
    var helpList = function (actions) {
      return actionList(actions, "help calm");
    };
    var note = safetyNoteNode(reply, en, helpList);
    if (note) node.appendChild(note);
    node.append.apply(node, answerNodes(reply, "p"));
    var actions = frame.safety && actionList(reply.actions, "help");
    if (actions) node.appendChild(actions);

    var facts = h("p", { class: "facts", lang: en }, evidenceBadge(reply, EVIDENCE, ""));
    if (monthYear(reply.reviewed) && !frame.safety) {
      facts.appendChild(h("span", { class: "reviewed", text: TEXT.reviewed + monthYear(reply.reviewed) }));
    }
    if (facts.firstChild) node.appendChild(facts);

    var list = citationList(reply, function (c) {
      var url = actionHref(c.url);
      var title = str(c.title) || str(c.url);
      if (!url || !/^https:/i.test(url)) return h("span", { text: title });
      return h(
        "a",
        { href: url, target: "_blank", rel: "noopener noreferrer" },
        title,
        h("span", { class: "sr-only", text: " (opens in a new tab)" })
      );
    });
    if (list) {
      // Collapsed behind "Sources (2)": the answer comes first, its sources one tap away.
      var sources = h("summary", { class: "label", lang: en, text: TEXT.sources + " (" + list.children.length + ")" });
      node.appendChild(h("details", { class: "sources" }, sources, list));
    }

    // The clinician note is pinned once at the top; a safety reply (crisis, dosing...) repeats it.
    if (frame.safety || !this.pinnedNote) {
      var clinician = clinicianNote(reply, en);
      if (clinician) node.appendChild(clinician);
    }

    var group = suggestionGroup(reply, {
      choices: TEXT.choices,
      related: TEXT.related,
      en: en,
      buttonClass: "chip",
      groupClass: function (isChoice) {
        return isChoice ? "choices" : "related";
      },
    });
    if (group) node.appendChild(group);

    if (reply.handoff === true) node.appendChild(handoffNode(this.clinic));

    if (frame.kind === "answer" && frame.id && message) {
      if (message.feedback) {
        node.appendChild(this.feedbackDone(message));
      } else {
        var row = h("div", { class: "feedback", role: "group", "aria-label": TEXT.helpful });
        row.appendChild(h("p", { class: "label", "aria-hidden": "true", text: TEXT.helpful }));
        [true, false].forEach(function (helpful) {
          var b = h("button", { class: "chip small", type: "button", text: helpful ? TEXT.yes : TEXT.no });
          b.feedback = { message: message, helpful: helpful };
          row.appendChild(b);
        });
        node.appendChild(row);
      }
    }
    return node;
  }
}

// ------------------------------------------------------------------ start
var options = readOptions(ownScript());

function start() {
  if (document.querySelector(TAG)) return; // one widget per page
  var host = document.createElement(TAG);
  document.body.appendChild(host);
  new ChatWidget(host, options);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
