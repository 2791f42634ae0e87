/*
 * Kiosk mode (/kiosk) for a clinic lobby touch screen.
 * - Topic buttons from /api/topics, so nobody has to type; a text box for those who want to.
 * - Sources as plain text; nothing on the page can navigate away from it.
 * - Idle reset for privacy: after the idle time (server setting, or ?idle=SECONDS in the URL)
 *   the conversation is wiped from the page and from storage and the start screen returns.
 *   A countdown with "I'm still here" shows for the last 15 seconds (half the idle time
 *   when that is shorter). Any touch, key or scroll restarts the timer.
 *   Typing rule: while the text box has focus and holds text, the person counts as typing
 *   and the page never resets, unless no key has been pressed for 2 minutes (someone
 *   walked away mid-question).
 * Everything from the API is inserted with textContent.
 * Built by esbuild from static/src/ (make build): edit the sources there, not static/kiosk.js.
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
  questionButton,
  readableNumber,
  replyFrame,
  replyRequest,
  safetyNoteNode,
  str,
  suggestionGroup,
  svgIcon,
} from "./shared.js";

// Text typed and then left alone this long counts as abandoned: the normal idle reset then clears it.
var TYPING_GRACE_MS = 2 * 60 * 1000;
var REQUEST_TIMEOUT_MS = 15000;

// Evidence labels in words, from the vetted content (faq/messages.yaml), put in the page by the server.
var EVIDENCE = (function () {
  try {
    var labels = JSON.parse(document.body.dataset.evidenceLabels || "{}");
    return labels && typeof labels === "object" ? labels : {};
  } catch {
    return {};
  }
})();
var TEXT = {
  loading: "Finding an answer…",
  failed: "Sorry, I couldn't get an answer just now. Please try again.",
  slow: "Sorry, this is taking too long. Please try again.",
  busy: "Lots of questions are coming in right now. Please wait a minute, then try again.",
  helpNow: "If you need help now",
  gone: "Sorry, that question isn't available any more. Please pick another one.",
  retry: "Try again",
  you: "You asked: ",
  sources: "Sources",
  related: "Related questions",
  choices: "Try one of these",
  clarify: "Did you mean one of these?",
  readAloud: "Read aloud",
  stopReading: "Stop reading",
  scan: "Scan to take this with you",
  qrFor: "QR code for: ",
  booking: "Book an appointment",
  evidence: "Evidence: ",
  restarted: "Started over.",
};

function $(id) {
  return document.getElementById(id);
}

// A kiosk has no phone, so each help line (tel:, sms: and https: only, as everywhere) is shown
// as text to read: its label and its number or address.
function actionNumber(action) {
  var href = action && typeof action === "object" ? actionHref(action.href) : null;
  if (!href) return null;
  var web = /^https:/i.test(href);
  return { text: web ? href : readableNumber(href), web: web };
}

// A list of help lines in large type; null when none is valid.
function numberList(items, cls) {
  var list = h("ul", { class: cls });
  (Array.isArray(items) ? items : []).forEach(function (item) {
    var number = actionNumber(item);
    var label = number ? str(item.label).trim() : "";
    if (!label) return;
    list.appendChild(
      h(
        "li",
        null,
        h("span", { class: "number-label", text: label }),
        h("span", { class: number.web ? "number url" : "number", text: number.text }),
        str(item.text) ? h("span", { class: "number-text", text: item.text }) : null
      )
    );
  });
  return list.firstChild ? list : null;
}

// Simple line icons for the topic tiles (by category id; a question mark for any other).
var ICONS = {
  basics: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 10v7M12 7v.5",
  types: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
  symptoms: "M8 6h12M8 12h12M8 18h12M4 6h.5M4 12h.5M4 18h.5",
  diagnosis: "M9 3h6v3H9zM6 5h12v16H6zM9 13l2 2l4-4",
  treatment: "M7 17a4 4 0 0 1 0-6l4-4a4 4 0 0 1 6 6l-4 4a4 4 0 0 1-6 0zM9 9l6 6",
  ketamine: "M12 3l10 18H2zM12 10v5M12 18v.5",
  medicines: "M12 21s-7-4.4-7-10a4 4 0 0 1 7-2.7a4 4 0 0 1 7 2.7c0 5.6-7 10-7 10zM9 11h6M12 8v6",
  living: "M3 11l9-7l9 7M5 9.5V20h14V9.5M10 20v-5h4v5",
  help: "M4 5h16v11H9l-5 4z",
};
var ICON_OTHER = "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17v.5";

function topicIcon(id) {
  return svgIcon(ICONS[id] || ICON_OTHER, "topic-icon");
}

function idleSeconds() {
  var fromUrl = parseInt(new URLSearchParams(location.search).get("idle"), 10);
  if (fromUrl > 0) return fromUrl;
  var fromServer = parseInt(document.body.dataset.idleSeconds, 10);
  return fromServer > 0 ? fromServer : 90;
}

class Kiosk {
  constructor(body) {
    this.body = body;
    this.idleMs = idleSeconds() * 1000;
    this.warnMs = Math.min(15000, Math.ceil(this.idleMs / 2));
    this.lastActivity = Date.now();
    this.lastKey = 0;
    this.history = [];
    this.screen = "start";
    this.generation = 0;
    this.pending = null;
    this.busy = false;
    this.els = {
      main: $("main"),
      start: $("start"),
      topic: $("topic"),
      reply: $("reply"),
      topics: $("topics"),
      topicsError: $("topics-error"),
      topicTitle: $("topic-title"),
      questions: $("questions"),
      log: $("log"),
      input: $("ask-input"),
      send: $("ask-send"),
      status: $("status"),
      bigger: $("bigger"),
      idle: $("idle"),
      idleCount: $("idle-count"),
      stillHere: $("still-here"),
      welcome: $("welcome"),
      app: $("app"),
      notice: $("notice"),
      popular: $("popular"),
      popularList: $("popular-list"),
      moreBelow: $("more-below"),
    };
    this.categories = [];
    this.lockDown();
    this.bind();
    this.loadTopics();
    setInterval(this.tick.bind(this), 250);
  }

  // ---- nothing on the page may navigate away from it
  lockDown() {
    var stop = function (event) {
      event.preventDefault();
    };
    document.addEventListener(
      "click",
      function (event) {
        if (event.target.closest && event.target.closest("a")) event.preventDefault();
      },
      true
    );
    ["contextmenu", "dragstart", "dragover", "drop", "auxclick"].forEach(function (type) {
      document.addEventListener(type, stop, true);
    });
    document.addEventListener(
      "keydown",
      function (event) {
        var back = event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight");
        if (back || event.key === "BrowserBack" || event.key === "BrowserForward") event.preventDefault();
      },
      true
    );
  }

  bind() {
    var self = this;
    var e = this.els;
    var activity = function () {
      self.activity();
    };
    ["pointerdown", "touchstart", "keydown", "wheel", "input"].forEach(function (type) {
      document.addEventListener(type, activity, { capture: true, passive: true });
    });
    window.addEventListener("scroll", activity, { capture: true, passive: true });
    e.input.addEventListener("keydown", function (event) {
      self.lastKey = Date.now();
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    e.send.addEventListener("click", function () {
      self.submit();
    });
    e.bigger.addEventListener("click", function () {
      self.setBigger(e.bigger.getAttribute("aria-pressed") !== "true");
    });
    $("restart").addEventListener("click", function () {
      self.wipe();
    });
    $("topics-retry").addEventListener("click", function () {
      self.loadTopics();
    });
    e.stillHere.addEventListener("click", function () {
      self.activity();
    });
    Array.prototype.forEach.call(document.querySelectorAll(".back"), function (button) {
      button.addEventListener("click", function () {
        self.back();
      });
    });
    $("tap-to-start").addEventListener("click", function () {
      self.begin();
    });
    e.main.addEventListener(
      "scroll",
      function () {
        self.scrollCue();
      },
      { passive: true }
    );
    window.addEventListener("resize", function () {
      self.scrollCue();
    });
    e.main.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button");
      if (!button) return;
      if (button.category) self.showTopic(button.category, true);
      else if (button.entry) self.choose(button.entry);
      else if (button.retryJob) self.request(button.retryJob);
    });
  }

  // A "More below" cue while the screen has more to scroll to (it sits above the input bar).
  scrollCue() {
    var m = this.els.main;
    this.els.moreBelow.hidden = m.scrollHeight - m.scrollTop - m.clientHeight < 8;
  }

  // ---- screens
  // The welcome screen (clinic name and logo, "Tap to start") covers the app until tapped,
  // and comes back with every idle reset.
  begin() {
    var e = this.els;
    e.welcome.hidden = true;
    e.app.inert = false;
    this.lastActivity = Date.now();
    this.focusTitle("start-title");
  }

  welcomeBack() {
    var e = this.els;
    e.app.inert = true;
    e.welcome.hidden = false;
  }

  show(name) {
    var e = this.els;
    this.screen = name;
    e.start.hidden = name !== "start";
    e.topic.hidden = name !== "topic";
    e.reply.hidden = name !== "reply";
    e.main.scrollTop = 0;
    this.scrollCue();
  }

  remember() {
    if (this.screen === "topic") this.history.push({ screen: "topic", category: this.currentCategory });
    else if (this.screen === "reply" && this.currentReply) {
      this.history.push({ screen: "reply", view: this.currentReply });
    } else if (this.screen === "start") this.history.push({ screen: "start" });
  }

  back() {
    var previous = this.history.pop();
    if (!previous || previous.screen === "start") {
      this.history = [];
      this.show("start");
      this.focusTitle("start-title");
    } else if (previous.screen === "topic") this.showTopic(previous.category, false);
    else this.showReply(previous.view, false);
  }

  focusTitle(id) {
    var title = $(id);
    if (title) title.focus({ preventScroll: true });
  }

  loadTopics() {
    var self = this;
    var e = this.els;
    e.topicsError.hidden = true;
    this.fetchJson("/api/topics", { method: "GET" }).then(
      function (result) {
        if (!result.response.ok || !result.data || !Array.isArray(result.data.categories)) throw new Error("topics");
        self.categories = result.data.categories;
        var notice = str(result.data.notice);
        e.notice.textContent = notice;
        e.notice.hidden = !notice;
        e.popularList.replaceChildren();
        (Array.isArray(result.data.starters) ? result.data.starters : []).slice(0, 6).forEach(function (s) {
          if (!s || typeof s.id !== "string" || typeof s.question !== "string") return;
          e.popularList.appendChild(questionButton(s, "question-btn"));
        });
        e.popular.hidden = !e.popularList.firstChild;
        e.topics.replaceChildren();
        self.categories.forEach(function (category) {
          if (!category || !Array.isArray(category.entries)) return;
          var button = h(
            "button",
            { class: "topic-btn", type: "button" },
            topicIcon(str(category.id)),
            h("span", { class: "topic-name", text: str(category.title) }),
            h("span", { class: "topic-count", text: category.entries.length + " questions" })
          );
          button.category = category;
          e.topics.appendChild(button);
        });
      },
      function () {
        e.topicsError.hidden = false;
      }
    );
  }

  showTopic(category, remember) {
    var e = this.els;
    if (remember) this.remember();
    this.currentCategory = category;
    e.topicTitle.textContent = str(category.title);
    e.questions.replaceChildren();
    category.entries.forEach(function (entry) {
      if (!entry || typeof entry.id !== "string") return;
      e.questions.appendChild(questionButton(entry, "question-btn"));
    });
    this.show("topic");
    this.focusTitle("topic-title");
  }

  // ---- asking
  submit() {
    var text = this.els.input.value.trim();
    if (!text || this.busy) return;
    this.els.input.value = "";
    this.els.input.blur(); // hides the on-screen keyboard so the answer shows
    this.request({ question: text });
  }

  choose(entry) {
    if (this.busy) return;
    this.request({ entry: entry.id });
  }

  fetchJson(url, init, track) {
    init.credentials = "same-origin";
    var fetched = fetchJson(url, init, REQUEST_TIMEOUT_MS);
    if (track) this.pending = fetched.controller; // a wipe aborts it, so a late reply can't come back
    return fetched.promise;
  }

  request(job) {
    var self = this;
    var generation = this.generation;
    var call = replyRequest("", job);
    this.setBusy(true);
    this.fetchJson(call.url, call.init, true)
      .then(
        function (result) {
          if (generation !== self.generation) return;
          var data = result.data;
          if (result.response.ok && data && typeof data.answer === "string") {
            self.remember();
            self.showReply({ reply: data, asked: job.question || "" }, true);
          } else {
            self.fail(job, result.response.status, data);
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

  setBusy(busy) {
    this.busy = busy;
    this.body.classList.toggle("busy", busy);
    this.els.status.textContent = busy ? TEXT.loading : "";
  }

  fail(job, status, data) {
    var said = failure(job, status, data, TEXT);
    var box = h("div", { class: "message calm" }, h("p", { text: said.message }));
    var help = status === 429 && numberList(data && data.resources, "help-numbers resources");
    if (help) box.appendChild(h("div", { class: "help-now" }, h("h2", { class: "label", text: TEXT.helpNow }), help));
    if (said.retry) {
      var button = h("button", { class: "big-btn", type: "button", text: TEXT.retry });
      button.retryJob = job;
      box.appendChild(button);
    }
    this.remember();
    this.currentReply = null;
    this.els.log.replaceChildren(box);
    this.show("reply");
  }

  showReply(view, moveFocus) {
    if (window.speechSynthesis) window.speechSynthesis.cancel(); // a new answer stops the last one reading
    this.currentReply = view;
    var node = this.replyNode(view.reply, view.asked);
    this.els.log.replaceChildren(node);
    this.show("reply");
    var self = this;
    Array.prototype.forEach.call(node.querySelectorAll("img"), function (img) {
      img.addEventListener("load", function () {
        self.scrollCue(); // QR codes make the answer taller once they load
      });
    });
    if (moveFocus !== false) this.els.log.focus({ preventScroll: true });
  }

  replyNode(reply, asked) {
    var frame = replyFrame(reply, "article", "reply");
    var node = frame.node;
    var en = frame.en;
    var note = safetyNoteNode(reply, en, function (actions) {
      return numberList(actions, "help-numbers calm");
    });
    // Not echoed for safety replies or notes: a lobby screen should not show someone's crisis words to others.
    if (asked && !frame.safety && !note) node.appendChild(h("p", { class: "asked", lang: en, text: TEXT.you + asked }));
    if (note) node.appendChild(note);
    node.append.apply(node, answerNodes(reply, "h2"));
    // On a lobby screen, a crisis reply also sends the person to the people in the room, first.
    var frontDesk = str(document.body.dataset.frontDesk);
    if (frame.urgent && frontDesk) node.appendChild(h("p", { class: "front-desk", lang: en, text: frontDesk }));
    var help = frame.safety && numberList(reply.actions, "help-numbers");
    if (help) node.appendChild(help);

    if (str(reply.answer) && window.speechSynthesis && typeof SpeechSynthesisUtterance === "function") {
      node.appendChild(this.readAloudButton(reply, frame.es));
    }

    var badge = evidenceBadge(reply, EVIDENCE, "");
    if (badge) node.appendChild(h("p", { class: "evidence-line", lang: en }, badge));

    // Sources as plain text: no links that could leave the page.
    var list = citationList(
      reply,
      function (c) {
        return h("span", { class: "source-title", text: str(c.title) });
      },
      function (c) {
        return str(c.url) ? h("span", { class: "source-url", text: c.url }) : null;
      }
    );
    if (list) {
      var heading = h("h3", { class: "label", lang: en, text: TEXT.sources });
      node.appendChild(h("div", { class: "sources" }, heading, list));
    }
    var citations = Array.isArray(reply.citations) ? reply.citations : [];
    var withBooking = frame.kind === "answer" || frame.kind === "clarify" || frame.kind === "fallback";
    var codes = this.takeAway(citations, withBooking);
    if (codes) node.appendChild(codes);
    var clinician = clinicianNote(reply, en);
    if (clinician) node.appendChild(clinician);

    var group = suggestionGroup(reply, {
      clarify: TEXT.clarify,
      choices: TEXT.choices,
      related: TEXT.related,
      en: en,
      buttonClass: "question-btn",
      groupClass: function () {
        return "suggestions";
      },
    });
    if (group) node.appendChild(group);
    return node;
  }

  // Read aloud with the browser's own voice (speechSynthesis: no network); stops on reset.
  readAloudButton(reply, es) {
    var button = h("button", { class: "big-btn secondary read-aloud", type: "button", "aria-pressed": "false" });
    button.textContent = TEXT.readAloud;
    var points = Array.isArray(reply.points) ? reply.points.map(str) : [];
    var words = [str(reply.question), str(reply.summary), str(reply.answer)].concat(points).filter(Boolean).join(". ");
    button.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (button.getAttribute("aria-pressed") === "true") {
        synth.cancel();
        return;
      }
      synth.cancel();
      var utterance = new SpeechSynthesisUtterance(words);
      utterance.lang = es ? "es-US" : "en-US";
      var done = function () {
        button.setAttribute("aria-pressed", "false");
        button.textContent = TEXT.readAloud;
      };
      utterance.onend = done;
      utterance.onerror = done;
      button.setAttribute("aria-pressed", "true");
      button.textContent = TEXT.stopReading;
      synth.speak(utterance);
    });
    return button;
  }

  // QR codes to take the sources (and the clinic's booking page) home: made by the server
  // (GET /api/qr, only for vetted source addresses and the booking page), shown as images.
  takeAway(citations, withBooking) {
    var items = [];
    citations.forEach(function (c) {
      if (c && typeof c === "object" && /^https:\/\//.test(str(c.url))) items.push({ url: c.url, title: str(c.title) });
    });
    var booking = str(document.body.dataset.bookingUrl);
    if (withBooking && /^https:\/\//.test(booking)) items.push({ url: booking, title: TEXT.booking });
    if (!items.length) return null;
    var list = h("ul", { class: "qr-list" });
    items.slice(0, 4).forEach(function (item) {
      list.appendChild(
        h(
          "li",
          null,
          h("img", {
            class: "qr",
            src: "/api/qr?url=" + encodeURIComponent(item.url),
            alt: TEXT.qrFor + item.title,
            width: "160",
            height: "160",
          }),
          h("span", { class: "qr-title", text: item.title })
        )
      );
    });
    return h("div", { class: "take-away" }, h("h3", { class: "label", text: TEXT.scan }), list);
  }

  setBigger(on) {
    document.documentElement.classList.toggle("bigger", on);
    this.els.bigger.setAttribute("aria-pressed", on ? "true" : "false");
  }

  // ---- idle reset
  activity() {
    this.lastActivity = Date.now();
    if (!this.els.idle.hidden) this.hideCountdown();
  }

  typing() {
    var input = this.els.input;
    return document.activeElement === input && input.value !== "" && Date.now() - this.lastKey < TYPING_GRACE_MS;
  }

  pristine() {
    if (!this.els.welcome.hidden) return true;
    return (
      this.screen === "start" &&
      !this.history.length &&
      this.els.input.value === "" &&
      this.els.bigger.getAttribute("aria-pressed") !== "true"
    );
  }

  tick() {
    var now = Date.now();
    if (this.pristine()) {
      this.lastActivity = now;
      if (!this.els.idle.hidden) this.hideCountdown();
      return;
    }
    if (this.typing()) {
      this.lastActivity = now;
      return;
    }
    var idle = now - this.lastActivity;
    if (idle >= this.idleMs) this.wipe();
    else if (idle >= this.idleMs - this.warnMs) this.showCountdown(Math.ceil((this.idleMs - idle) / 1000));
  }

  showCountdown(seconds) {
    var e = this.els;
    e.idleCount.textContent = String(seconds);
    if (e.idle.hidden) {
      this.focusBeforeCountdown = document.activeElement;
      e.idle.hidden = false;
      e.stillHere.focus({ preventScroll: true });
    }
  }

  hideCountdown() {
    var e = this.els;
    e.idle.hidden = true;
    var previous = this.focusBeforeCountdown;
    this.focusBeforeCountdown = null;
    if (previous && previous !== document.body && document.contains(previous)) {
      previous.focus({ preventScroll: true });
    }
  }

  // Wipe the conversation: page, memory and storage, then the start screen.
  wipe() {
    var e = this.els;
    if (window.speechSynthesis) window.speechSynthesis.cancel(); // nothing goes on reading to the next person
    this.generation += 1;
    if (this.pending) this.pending.abort();
    this.pending = null;
    this.setBusy(false);
    this.history = [];
    this.currentReply = null;
    this.currentCategory = null;
    e.log.replaceChildren();
    e.questions.replaceChildren();
    e.topicTitle.textContent = "";
    e.input.value = "";
    this.setBigger(false);
    try {
      sessionStorage.clear();
      localStorage.clear();
    } catch {
      /* storage unavailable: nothing stored */
    }
    this.focusBeforeCountdown = null;
    e.idle.hidden = true;
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    this.show("start");
    this.welcomeBack();
    this.lastActivity = Date.now();
  }
}

function start() {
  new Kiosk(document.body);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
