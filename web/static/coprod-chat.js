/*!
 * Co-production Guide chat widget (coprod-chat.js)
 *
 * Plain ES2017, no build step, no framework. Add it to any page with one tag:
 *
 *   <script src="https://host/static/coprod-chat.js"
 *           data-server="http://localhost:5005"
 *           data-title="Co-production Guide" defer></script>
 *
 * Optional attributes:
 *   data-server           Rasa server base URL (socket.io channel). Default: the
 *                         script's own protocol + hostname, port 5005.
 *   data-title            Heading shown on the panel and the launcher.
 *   data-socket-path      socket.io path. Default: <server path>/socket.io
 *   data-initial-payload  Sent (without a user bubble) when a brand-new
 *                         conversation is opened, e.g. "/greet". Default: none.
 *   data-transports       socket.io transports to use, in order, e.g. "polling"
 *                         (HTTP long-polling only, where a proxy blocks
 *                         WebSockets). Default: "websocket,polling".
 *
 * It loads coprod-chat.css and vendor/socket.io.min.js from the same folder
 * as this script (socket.io only if window.io is missing).
 *
 * Rasa socket.io protocol: "session_request" -> "session_confirm",
 * "user_uttered" -> "bot_uttered". Needs `session_persistence: true` in
 * credentials.yml for conversations to survive a page reload.
 *
 * Security: every piece of bot or user text is inserted with textContent /
 * createTextNode. Never innerHTML.
 */
(function () {
  "use strict";

  if (window.CoprodChat && window.CoprodChat.__loaded) {
    return; // included twice: keep the first instance
  }

  var PREFIX = "coprodChat.";
  var KEY_SESSION = PREFIX + "sessionId";
  var KEY_TOKEN = PREFIX + "sessionToken";
  var KEY_TRANSCRIPT = PREFIX + "transcript";
  var KEY_SCALE = PREFIX + "textScale";
  var KEY_CONTRAST = PREFIX + "highContrast";
  var MAX_MESSAGES = 100;
  var SCALES = [0.875, 1, 1.125, 1.25, 1.5, 1.75, 2];
  var DEFAULT_SCALE_INDEX = 1;
  var PLACEHOLDER = "__RASA_URL__";
  var SLOW_REPLY_MS = 20000;
  var UNREACHABLE_AFTER_ATTEMPTS = 3;

  /* ------------------------------------------------------------------ */
  /* Locate ourselves and read configuration                             */
  /* ------------------------------------------------------------------ */

  function findOwnScript() {
    if (document.currentScript) {
      return document.currentScript;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/coprod-chat(\.min)?\.js(\?|#|$)/.test(scripts[i].src || "")) {
        return scripts[i];
      }
    }
    return null;
  }

  var ownScript = findOwnScript();
  var scriptUrl;
  try {
    scriptUrl = new URL(ownScript && ownScript.src ? ownScript.src : "static/coprod-chat.js", document.baseURI);
  } catch (e) {
    scriptUrl = new URL(window.location.href);
  }
  var assetBase = new URL(".", scriptUrl).href;

  function attr(name) {
    var v = ownScript ? ownScript.getAttribute(name) : null;
    return v === null ? "" : String(v).trim();
  }

  function defaultServer() {
    var proto = scriptUrl.protocol === "https:" ? "https:" : "http:";
    var host = scriptUrl.hostname || "localhost";
    if (host.indexOf(":") !== -1 && host.charAt(0) !== "[") {
      host = "[" + host + "]"; // IPv6
    }
    return proto + "//" + host + ":5005";
  }

  function resolveServer() {
    var raw = attr("data-server");
    if (!raw || raw === PLACEHOLDER) {
      raw = defaultServer();
    }
    var u;
    try {
      u = new URL(raw, window.location.href);
    } catch (e) {
      u = new URL(defaultServer());
    }
    var prefix = u.pathname.replace(/\/+$/, "");
    var path = attr("data-socket-path") || prefix + "/socket.io";
    // io(origin) must not contain a path, or socket.io treats it as a namespace.
    return { origin: u.origin, path: path };
  }

  function resolveTransports() {
    var wanted = attr("data-transports").toLowerCase().split(/[\s,]+/);
    var out = [];
    wanted.forEach(function (t) {
      if ((t === "websocket" || t === "polling") && out.indexOf(t) === -1) {
        out.push(t);
      }
    });
    return out.length ? out : ["websocket", "polling"];
  }

  var config = {
    server: resolveServer(),
    title: attr("data-title") || "Co-production Guide",
    initialPayload: attr("data-initial-payload"),
    transports: resolveTransports()
  };

  /* ------------------------------------------------------------------ */
  /* Storage (localStorage may be unavailable; never let that break us)  */
  /* ------------------------------------------------------------------ */

  var store = {
    get: function (key) {
      try {
        return window.localStorage.getItem(key);
      } catch (e) {
        return null;
      }
    },
    set: function (key, value) {
      try {
        if (value === null || value === undefined) {
          window.localStorage.removeItem(key);
        } else {
          window.localStorage.setItem(key, String(value));
        }
      } catch (e) {
        /* storage full or blocked: carry on without persistence */
      }
    },
    getJSON: function (key, fallback) {
      var raw = store.get(key);
      if (!raw) {
        return fallback;
      }
      try {
        return JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    setJSON: function (key, value) {
      try {
        store.set(key, JSON.stringify(value));
      } catch (e) {
        /* ignore */
      }
    }
  };

  /* ------------------------------------------------------------------ */
  /* Small DOM helpers                                                   */
  /* ------------------------------------------------------------------ */

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) {
          return;
        }
        if (k === "className") {
          node.className = v;
        } else if (k === "text") {
          node.textContent = v; // text only, never HTML
        } else {
          node.setAttribute(k, v === true ? "" : String(v));
        }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) {
        return;
      }
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function vh(text) {
    return el("span", { className: "cpc-vh", text: text });
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function icon(pathData, extraClass) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "cpc-icon" + (extraClass ? " " + extraClass : ""));
    var p = document.createElementNS(SVG_NS, "path");
    p.setAttribute("d", pathData);
    p.setAttribute("fill", "currentColor");
    svg.appendChild(p);
    return svg;
  }

  var ICON_CHAT =
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9.4l-4.7 3.8A1 1 0 0 1 3 21V5a2 2 0 0 1 1-2zm1 2v13.9l3.3-2.7a1 1 0 0 1 .6-.2H20V5H5zm2 3h10v2H7V8zm0 4h7v2H7v-2z";
  var ICON_CLOSE =
    "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_SEND = "M3 20.5V14l9-2-9-2V3.5L22 12 3 20.5z";

  var prefersReducedMotion = function () {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  };

  /* ------------------------------------------------------------------ */
  /* Text formatting: line breaks preserved by CSS (white-space:         */
  /* pre-wrap); plain http(s) URLs and [text](https://...) become links. */
  /* ------------------------------------------------------------------ */

  var LINK_RE = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])/g;

  function safeHref(url) {
    try {
      var u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function appendFormatted(parent, text) {
    var str = String(text);
    var last = 0;
    var m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(str)) !== null) {
      var label = m[1] || m[3];
      var href = safeHref(m[2] || m[3]);
      if (!href) {
        continue;
      }
      if (m.index > last) {
        parent.appendChild(document.createTextNode(str.slice(last, m.index)));
      }
      var a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer", className: "cpc-link" });
      a.appendChild(document.createTextNode(label));
      a.appendChild(vh(" (opens in a new tab)"));
      parent.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < str.length) {
      parent.appendChild(document.createTextNode(str.slice(last)));
    }
  }

  /* ------------------------------------------------------------------ */
  /* State                                                               */
  /* ------------------------------------------------------------------ */

  var state = {
    open: false,
    socket: null,
    socketLoading: false,
    connected: false,
    ready: false, // connected and session confirmed
    everConnected: false,
    failedAttempts: 0,
    sessionId: store.get(KEY_SESSION),
    sessionToken: store.get(KEY_TOKEN),
    transcript: [],
    scaleIndex: DEFAULT_SCALE_INDEX,
    highContrast: false,
    waitingTimer: null,
    connectingTimer: null,
    pendingInitial: false,
    msgCounter: 0
  };

  var t = store.getJSON(KEY_TRANSCRIPT, []);
  state.transcript = Array.isArray(t) ? t.slice(-MAX_MESSAGES) : [];

  var storedScale = parseFloat(store.get(KEY_SCALE));
  if (SCALES.indexOf(storedScale) !== -1) {
    state.scaleIndex = SCALES.indexOf(storedScale);
  }
  var storedContrast = store.get(KEY_CONTRAST);
  var contrastQuery = window.matchMedia ? window.matchMedia("(prefers-contrast: more)") : null;
  state.highContrast =
    storedContrast === "true" ? true : storedContrast === "false" ? false : !!(contrastQuery && contrastQuery.matches);

  /* ------------------------------------------------------------------ */
  /* Build the widget                                                    */
  /* ------------------------------------------------------------------ */

  var ids = {
    panel: "cpc-panel",
    title: "cpc-title",
    intro: "cpc-intro",
    log: "cpc-log",
    input: "cpc-input",
    status: "cpc-status"
  };

  var ui = {};

  function build() {
    ui.root = el("div", {
      id: "coprod-chat",
      className: "cpc-root",
      "data-connection": "idle",
      lang: document.documentElement.lang ? null : "en"
    });

    // Launcher
    ui.launcherBadge = el("span", { className: "cpc-badge", hidden: true }, [vh(" (new message)")]);
    ui.launcher = el(
      "button",
      {
        type: "button",
        className: "cpc-launcher",
        "aria-expanded": "false",
        "aria-controls": ids.panel,
        "data-testid": "coprod-chat-launcher"
      },
      [icon(ICON_CHAT), el("span", { className: "cpc-launcher-text", text: config.title }), ui.launcherBadge]
    );

    // Header
    ui.closeBtn = el(
      "button",
      { type: "button", className: "cpc-btn cpc-btn--close", "data-testid": "coprod-chat-close" },
      [icon(ICON_CLOSE), el("span", { text: "Close" })]
    );
    var header = el("div", { className: "cpc-header" }, [
      el("h2", { id: ids.title, className: "cpc-title", text: config.title }),
      ui.closeBtn
    ]);

    // Toolbar: text size, contrast, start again
    ui.smaller = el("button", {
      type: "button",
      className: "cpc-btn cpc-btn--tool",
      "aria-label": "Smaller text",
      "data-testid": "coprod-chat-smaller"
    }, [el("span", { "aria-hidden": "true", text: "A\u2212" })]);
    ui.larger = el("button", {
      type: "button",
      className: "cpc-btn cpc-btn--tool",
      "aria-label": "Larger text",
      "data-testid": "coprod-chat-larger"
    }, [el("span", { "aria-hidden": "true", text: "A+" })]);
    ui.contrast = el("button", {
      type: "button",
      className: "cpc-btn cpc-btn--tool",
      "aria-pressed": "false",
      "data-testid": "coprod-chat-contrast"
    }, [el("span", { text: "High contrast" })]);
    ui.resetBtn = el("button", {
      type: "button",
      className: "cpc-btn cpc-btn--tool",
      "data-testid": "coprod-chat-reset"
    }, [el("span", { text: "Start again" })]);

    var toolbar = el("div", { className: "cpc-toolbar", role: "group", "aria-label": "Chat settings" }, [
      el("div", { className: "cpc-toolgroup", role: "group", "aria-label": "Text size" }, [
        el("span", { className: "cpc-toollabel", "aria-hidden": "true", text: "Text size" }),
        ui.smaller,
        ui.larger
      ]),
      ui.contrast,
      ui.resetBtn
    ]);

    ui.intro = el("p", {
      id: ids.intro,
      className: "cpc-intro",
      text:
        "Ask me about co-production, or say \u201chi\u201d to get started. " +
        "Please don\u2019t share personal details such as your name, address or health information."
    });

    // Message log. aria-live is switched to "polite" only after restored history
    // has been put in place, so old messages are not read out again.
    ui.log = el("div", {
      id: ids.log,
      className: "cpc-log",
      role: "log",
      "aria-live": "off",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
      "data-testid": "coprod-chat-log"
    });

    ui.typing = el("div", { className: "cpc-typing", "aria-hidden": "true", hidden: true }, [
      el("span", { className: "cpc-dot" }),
      el("span", { className: "cpc-dot" }),
      el("span", { className: "cpc-dot" }),
      el("span", { className: "cpc-typing-text", text: "Assistant is writing\u2026" })
    ]);

    ui.status = el("div", {
      id: ids.status,
      className: "cpc-status",
      role: "status",
      "aria-live": "polite",
      "aria-atomic": "true",
      "data-testid": "coprod-chat-status"
    });

    // Composer
    ui.input = el("input", {
      id: ids.input,
      className: "cpc-input",
      type: "text",
      autocomplete: "off",
      autocapitalize: "sentences",
      spellcheck: "true",
      maxlength: "1000",
      enterkeyhint: "send",
      "data-testid": "coprod-chat-input"
    });
    ui.send = el("button", { type: "submit", className: "cpc-btn cpc-btn--send", "data-testid": "coprod-chat-send" }, [
      el("span", { text: "Send" }),
      icon(ICON_SEND)
    ]);
    ui.form = el("form", { className: "cpc-form", novalidate: true }, [
      el("label", { for: ids.input, className: "cpc-vh", text: "Type your message" }),
      ui.input,
      ui.send
    ]);

    ui.panel = el(
      "section",
      {
        id: ids.panel,
        className: "cpc-panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": ids.title,
        "aria-describedby": ids.intro,
        hidden: true,
        "data-testid": "coprod-chat-panel"
      },
      [header, toolbar, ui.intro, ui.log, ui.typing, ui.status, ui.form]
    );

    ui.root.appendChild(ui.panel);
    ui.root.appendChild(ui.launcher);

    applyScale(false);
    applyContrast(false);
    restoreTranscript();

    // Events
    ui.launcher.addEventListener("click", function () {
      if (state.open) {
        close();
      } else {
        open();
      }
    });
    ui.closeBtn.addEventListener("click", function () {
      close();
    });
    ui.panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" || ev.key === "Esc") {
        ev.preventDefault();
        ev.stopPropagation();
        close();
      }
    });
    ui.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      sendFromInput();
    });
    ui.smaller.addEventListener("click", function () {
      changeScale(-1);
    });
    ui.larger.addEventListener("click", function () {
      changeScale(1);
    });
    ui.contrast.addEventListener("click", function () {
      state.highContrast = !state.highContrast;
      store.set(KEY_CONTRAST, state.highContrast ? "true" : "false");
      applyContrast(true);
    });
    ui.resetBtn.addEventListener("click", function () {
      reset();
    });
    if (contrastQuery) {
      var onContrastChange = function () {
        if (store.get(KEY_CONTRAST) === null) {
          state.highContrast = contrastQuery.matches;
          applyContrast(false);
        }
      };
      if (contrastQuery.addEventListener) {
        contrastQuery.addEventListener("change", onContrastChange);
      } else if (contrastQuery.addListener) {
        contrastQuery.addListener(onContrastChange);
      }
    }

    document.body.appendChild(ui.root);
  }

  /* ------------------------------------------------------------------ */
  /* Display settings                                                    */
  /* ------------------------------------------------------------------ */

  function applyScale(announce) {
    var scale = SCALES[state.scaleIndex];
    ui.root.style.setProperty("--cpc-scale", String(scale));
    ui.smaller.setAttribute("aria-disabled", state.scaleIndex === 0 ? "true" : "false");
    ui.larger.setAttribute("aria-disabled", state.scaleIndex === SCALES.length - 1 ? "true" : "false");
    if (announce) {
      setStatus("Text size " + Math.round(scale * 100) + "%.");
    }
  }

  function changeScale(delta) {
    var next = state.scaleIndex + delta;
    if (next < 0 || next >= SCALES.length) {
      setStatus(delta > 0 ? "Text is already at its largest size." : "Text is already at its smallest size.");
      return;
    }
    state.scaleIndex = next;
    store.set(KEY_SCALE, SCALES[next]);
    applyScale(true);
    scrollToEnd();
  }

  function applyContrast(announce) {
    ui.root.classList.toggle("cpc-hc", state.highContrast);
    ui.contrast.setAttribute("aria-pressed", state.highContrast ? "true" : "false");
    if (announce) {
      setStatus(state.highContrast ? "High contrast on." : "High contrast off.");
    }
  }

  /* ------------------------------------------------------------------ */
  /* Status messages                                                     */
  /* ------------------------------------------------------------------ */

  var statusClearTimer = null;

  function setStatus(text, opts) {
    opts = opts || {};
    if (statusClearTimer) {
      clearTimeout(statusClearTimer);
      statusClearTimer = null;
    }
    // Clear first so the same message is announced again if repeated.
    ui.status.textContent = "";
    ui.status.classList.toggle("cpc-status--problem", !!opts.problem);
    if (!text) {
      return;
    }
    window.setTimeout(function () {
      ui.status.textContent = text;
    }, 50);
    if (opts.transient !== false && !opts.problem) {
      statusClearTimer = window.setTimeout(function () {
        if (ui.status.textContent === text) {
          ui.status.textContent = "";
        }
      }, 6000);
    }
  }

  function setConnectionState(name) {
    ui.root.setAttribute("data-connection", name);
  }

  /* ------------------------------------------------------------------ */
  /* Transcript                                                          */
  /* ------------------------------------------------------------------ */

  function saveTranscript() {
    if (state.transcript.length > MAX_MESSAGES) {
      state.transcript = state.transcript.slice(-MAX_MESSAGES);
    }
    store.setJSON(KEY_TRANSCRIPT, state.transcript);
    markHasMessages();
  }

  function markHasMessages() {
    // lets the CSS hide the intro on small screens once a conversation exists
    ui.root.classList.toggle("cpc-has-messages", state.transcript.length > 0);
  }

  function trimLog() {
    var items = ui.log.querySelectorAll(".cpc-msg");
    for (var i = 0; i < items.length - MAX_MESSAGES; i++) {
      items[i].parentNode.removeChild(items[i]);
    }
  }

  function restoreTranscript() {
    if (!state.transcript.length) {
      return;
    }
    var frag = document.createDocumentFragment();
    frag.appendChild(
      el("p", { className: "cpc-divider", "data-restored": "true" }, [el("span", { text: "Earlier in this conversation" })])
    );
    state.transcript.forEach(function (entry) {
      var node = renderEntry(entry, true);
      if (node) {
        frag.appendChild(node);
      }
    });
    ui.log.appendChild(frag);
    markHasMessages();
  }

  function addEntry(entry) {
    entry.id = entry.id || "m" + Date.now().toString(36) + "-" + state.msgCounter++;
    state.transcript.push(entry);
    saveTranscript();
    var node = renderEntry(entry, false);
    if (node) {
      ui.log.appendChild(node); // one complete node: announced once
    }
    trimLog();
    scrollToEnd();
    return node;
  }

  function scrollToEnd() {
    if (!ui.log) {
      return;
    }
    var behavior = prefersReducedMotion() ? "auto" : "smooth";
    if (typeof ui.log.scrollTo === "function") {
      try {
        ui.log.scrollTo({ top: ui.log.scrollHeight, behavior: behavior });
        return;
      } catch (e) {
        /* fall through */
      }
    }
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  /* ------------------------------------------------------------------ */
  /* Rendering messages (textContent only)                               */
  /* ------------------------------------------------------------------ */

  function renderEntry(entry, restored) {
    var from = entry.from;
    var wrapper = el("div", {
      className: "cpc-msg cpc-msg--" + from + (restored ? " cpc-msg--restored" : ""),
      "data-msg-id": entry.id,
      "data-restored": restored ? "true" : null,
      "data-testid": from === "bot" ? "coprod-chat-bot-message" : from === "user" ? "coprod-chat-user-message" : "coprod-chat-notice"
    });

    var bubble = el("div", { className: "cpc-bubble" });
    var who = from === "bot" ? "Assistant said: " : from === "user" ? "You said: " : "Notice: ";
    bubble.appendChild(vh(who));

    if (entry.text) {
      var textNode = el("span", { className: "cpc-text" });
      if (from === "bot") {
        appendFormatted(textNode, entry.text);
      } else {
        textNode.textContent = entry.text;
      }
      bubble.appendChild(textNode);
    }

    if (entry.image) {
      var src = safeHref(entry.image);
      if (src) {
        bubble.appendChild(el("img", { className: "cpc-image", src: src, alt: entry.imageAlt || "Image sent by the assistant" }));
      }
    }

    if (!entry.text && !entry.image && !(entry.buttons && entry.buttons.length)) {
      return null;
    }
    if (entry.text || entry.image) {
      wrapper.appendChild(bubble);
    } else {
      wrapper.appendChild(vh("Assistant offered these options: "));
    }

    if (entry.buttons && entry.buttons.length) {
      var group = el("div", {
        className: "cpc-choices",
        role: "group",
        "aria-label": entry.used ? "Reply options (already answered)" : "Reply options"
      });
      entry.buttons.forEach(function (b, index) {
        var chosen = entry.used && entry.chosen === index;
        var btn = el(
          "button",
          {
            type: "button",
            className: "cpc-btn cpc-choice" + (chosen ? " cpc-choice--chosen" : ""),
            "data-testid": "coprod-chat-bot-button",
            "data-payload": b.payload,
            disabled: entry.used ? true : null
          },
          [b.title]
        );
        if (chosen) {
          btn.appendChild(vh(" (your choice)"));
        }
        btn.addEventListener("click", function () {
          onChoice(entry, index, group);
        });
        group.appendChild(btn);
      });
      wrapper.appendChild(group);
    }
    return wrapper;
  }

  function markChoicesUsed(entry, chosenIndex) {
    if (entry.used) {
      return;
    }
    entry.used = true;
    if (typeof chosenIndex === "number") {
      entry.chosen = chosenIndex;
    }
    var node = ui.log.querySelector('[data-msg-id="' + entry.id + '"]');
    if (!node) {
      return;
    }
    var group = node.querySelector(".cpc-choices");
    if (!group) {
      return;
    }
    group.setAttribute("aria-label", "Reply options (already answered)");
    var buttons = group.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
      if (i === chosenIndex) {
        buttons[i].classList.add("cpc-choice--chosen");
        buttons[i].appendChild(vh(" (your choice)"));
      }
    }
  }

  function disableOpenChoices(exceptEntry, chosenIndex) {
    state.transcript.forEach(function (entry) {
      if (entry.buttons && entry.buttons.length && !entry.used) {
        markChoicesUsed(entry, entry === exceptEntry ? chosenIndex : undefined);
      }
    });
    saveTranscript();
  }

  function onChoice(entry, index) {
    var b = entry.buttons[index];
    if (!b || entry.used) {
      return;
    }
    if (!state.ready) {
      notReady();
      ui.input.focus();
      return;
    }
    disableOpenChoices(entry, index);
    emitUserMessage(b.payload, b.title);
    ui.input.focus();
  }

  /* ------------------------------------------------------------------ */
  /* Normalise what Rasa sends                                           */
  /* ------------------------------------------------------------------ */

  function normaliseButtons(list) {
    if (!Array.isArray(list)) {
      return [];
    }
    return list
      .filter(function (b) {
        return b && (b.title || b.payload);
      })
      .map(function (b) {
        var title = String(b.title || b.payload);
        return { title: title, payload: String(b.payload || b.title) };
      });
  }

  function onBotUttered(data) {
    stopWaiting();
    if (data === null || data === undefined) {
      return;
    }
    if (typeof data === "string") {
      data = { text: data };
    }
    if (typeof data !== "object") {
      return;
    }

    if (data.error) {
      if (window.console) {
        console.warn("[coprod-chat] server error:", data.error);
      }
      addEntry({
        from: "notice",
        text: "Sorry, something went wrong on our side and the assistant could not reply. Please try again in a moment."
      });
      if (!state.open) {
        showUnread();
      }
      return;
    }

    var entry = { from: "bot" };
    if (typeof data.text === "string" && data.text.trim()) {
      entry.text = data.text;
    }
    var buttons = normaliseButtons(data.quick_replies).concat(normaliseButtons(data.buttons));
    if (buttons.length) {
      entry.buttons = buttons;
    }

    var att = data.attachment;
    if (att && typeof att === "object") {
      var payload = att.payload || {};
      if (att.type === "image" && (payload.src || payload.url)) {
        entry.image = payload.src || payload.url;
      } else if (typeof payload.src === "string" || typeof payload.url === "string") {
        var link = payload.src || payload.url;
        entry.text = (entry.text ? entry.text + "\n" : "") + link;
      } else if (payload.template_type === "generic" && payload.elements) {
        var els = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
        var lines = els
          .map(function (e) {
            return [e.title, e.subtitle].filter(Boolean).join(" \u2013 ");
          })
          .filter(Boolean);
        if (lines.length) {
          entry.text = (entry.text ? entry.text + "\n" : "") + lines.join("\n");
        }
        els.forEach(function (e) {
          buttons = buttons.concat(normaliseButtons(e.buttons));
        });
        if (buttons.length) {
          entry.buttons = buttons;
        }
      }
    } else if (typeof att === "string" && att) {
      entry.text = (entry.text ? entry.text + "\n" : "") + att;
    }

    if (!entry.text && !entry.image && !entry.buttons) {
      return; // nothing we can show (e.g. custom payloads for other clients)
    }
    addEntry(entry);
    if (!state.open) {
      showUnread();
    }
  }

  /* ------------------------------------------------------------------ */
  /* Waiting indicator                                                   */
  /* ------------------------------------------------------------------ */

  function startWaiting() {
    stopWaiting();
    ui.typing.hidden = false;
    state.waitingTimer = window.setTimeout(function () {
      ui.typing.hidden = true;
      setStatus("The assistant is taking longer than usual to reply. Please wait a little longer, or try again.", {
        transient: false
      });
    }, SLOW_REPLY_MS);
  }

  function stopWaiting() {
    ui.typing.hidden = true;
    if (state.waitingTimer) {
      clearTimeout(state.waitingTimer);
      state.waitingTimer = null;
    }
  }

  function showUnread() {
    ui.launcherBadge.hidden = false;
    ui.launcher.classList.add("cpc-launcher--unread");
  }

  /* ------------------------------------------------------------------ */
  /* Sending                                                             */
  /* ------------------------------------------------------------------ */

  function notReady() {
    if (state.everConnected || !state.failedAttempts) {
      setStatus(
        state.everConnected
          ? "Your message has not been sent because the connection was lost. We are reconnecting \u2013 please try again in a moment."
          : "Your message has not been sent yet because the chat is still connecting. Please try again in a moment.",
        { problem: true }
      );
    } else {
      setStatus(
        "Your message has not been sent. The Co-production Guide can\u2019t be reached at the moment. Please try again later.",
        { problem: true }
      );
    }
  }

  function emitUserMessage(message, shownText) {
    if (!state.ready || !state.socket) {
      notReady();
      return false;
    }
    addEntry({ from: "user", text: shownText });
    state.socket.emit("user_uttered", { message: message, session_id: state.sessionId });
    startWaiting();
    return true;
  }

  function sendFromInput() {
    var text = ui.input.value.trim();
    if (!text) {
      setStatus("Please type a message first.");
      ui.input.focus();
      return false;
    }
    if (!state.ready) {
      notReady(); // keep the text in the box so nothing is lost
      ui.input.focus();
      return false;
    }
    disableOpenChoices(null);
    var ok = emitUserMessage(text, text);
    if (ok) {
      ui.input.value = "";
    }
    ui.input.focus();
    return ok;
  }

  /* ------------------------------------------------------------------ */
  /* Connection                                                          */
  /* ------------------------------------------------------------------ */

  function loadSocketIo() {
    return new Promise(function (resolve, reject) {
      if (typeof window.io === "function") {
        resolve(window.io);
        return;
      }
      var existing = document.querySelector("script[data-coprod-chat-sio]");
      var s = existing || el("script", { src: assetBase + "vendor/socket.io.min.js", "data-coprod-chat-sio": "true" });
      s.addEventListener("load", function () {
        if (typeof window.io === "function") {
          resolve(window.io);
        } else {
          reject(new Error("socket.io client did not define window.io"));
        }
      });
      s.addEventListener("error", function () {
        reject(new Error("could not load socket.io client"));
      });
      if (!existing) {
        document.head.appendChild(s);
      }
    });
  }

  function connect() {
    if (state.socket || state.socketLoading) {
      return;
    }
    state.socketLoading = true;
    setConnectionState("connecting");
    state.connectingTimer = window.setTimeout(function () {
      if (!state.ready && !state.failedAttempts) {
        setStatus("Connecting\u2026", { transient: false });
      }
    }, 1500);

    loadSocketIo()
      .then(function (io) {
        state.socketLoading = false;
        var socket = io(config.server.origin, {
          path: config.server.path,
          transports: config.transports.slice(),
          reconnection: true,
          reconnectionDelay: 1000,
          reconnectionDelayMax: 10000,
          timeout: 10000
        });
        state.socket = socket;
        wireSocket(socket);
      })
      .catch(function (err) {
        state.socketLoading = false;
        if (window.console) {
          console.error("[coprod-chat]", err);
        }
        setConnectionState("unavailable");
        setStatus("Sorry, the chat could not be started on this page. Please try again later.", { problem: true });
      });
  }

  function sessionRequest() {
    state.socket.emit("session_request", {
      session_id: state.sessionId || null,
      session_token: state.sessionToken || null
    });
  }

  function wireSocket(socket) {
    socket.on("connect", function () {
      var wasReconnect = state.everConnected;
      state.connected = true;
      state.failedAttempts = 0;
      setConnectionState("confirming");
      sessionRequest();
      if (wasReconnect && !state.resetting) {
        setStatus("Connected again.");
      }
      state.resetting = false;
    });

    socket.on("session_confirm", function (data) {
      var id = null;
      var token = null;
      if (typeof data === "string" || typeof data === "number") {
        id = String(data);
      } else if (data && typeof data === "object") {
        id = data.session_id ? String(data.session_id) : null;
        token = data.session_token ? String(data.session_token) : null;
      }
      if (!id) {
        return;
      }
      var isNew = id !== state.sessionId;
      state.sessionId = id;
      store.set(KEY_SESSION, id);
      if (token) {
        state.sessionToken = token;
        store.set(KEY_TOKEN, token);
      }
      state.ready = true;
      state.everConnected = true;
      if (state.connectingTimer) {
        clearTimeout(state.connectingTimer);
        state.connectingTimer = null;
      }
      if (ui.status.classList.contains("cpc-status--problem") || ui.status.textContent === "Connecting\u2026") {
        setStatus("");
      }
      setConnectionState("connected");
      if (isNew && config.initialPayload && !state.transcript.length) {
        state.socket.emit("user_uttered", { message: config.initialPayload, session_id: id });
        startWaiting();
      }
    });

    socket.on("bot_uttered", onBotUttered);

    socket.on("disconnect", function (reason) {
      state.connected = false;
      state.ready = false;
      stopWaiting();
      if (reason === "io client disconnect") {
        return; // we did it on purpose (reset)
      }
      setConnectionState("reconnecting");
      setStatus("Reconnecting\u2026", { transient: false });
      if (reason === "io server disconnect") {
        socket.connect(); // the server closed us; socket.io will not retry by itself
      }
    });

    socket.on("connect_error", function (err) {
      state.failedAttempts += 1;
      // socket.io-client 4.7 does not fall back by itself: if the first
      // transport fails (e.g. a proxy blocks websockets), try the other one
      // first next time (HTTP long-polling needs CORS on the server).
      var opts = socket.io && socket.io.opts;
      if (opts && Array.isArray(opts.transports) && opts.transports.length > 1 && !state.everConnected) {
        opts.transports = opts.transports.slice(1).concat(opts.transports[0]);
      }
      if (window.console && state.failedAttempts === 1) {
        console.warn("[coprod-chat] cannot connect to " + config.server.origin + config.server.path, err && err.message);
      }
      if (!state.everConnected && state.failedAttempts >= UNREACHABLE_AFTER_ATTEMPTS) {
        setConnectionState("unavailable");
        setStatus(
          "Sorry, the Co-production Guide can\u2019t be reached at the moment. We\u2019ll keep trying. " +
            "You can also contact the service directly.",
          { problem: true }
        );
      } else if (state.everConnected) {
        setConnectionState("reconnecting");
        if (state.failedAttempts >= UNREACHABLE_AFTER_ATTEMPTS * 2) {
          setStatus(
            "Sorry, we\u2019re having trouble reconnecting. We\u2019ll keep trying. Your conversation so far is saved on this device.",
            { problem: true }
          );
        }
      }
    });
  }

  /* ------------------------------------------------------------------ */
  /* Public actions                                                      */
  /* ------------------------------------------------------------------ */

  function open() {
    if (!ui.panel) {
      return;
    }
    state.open = true;
    ui.panel.hidden = false;
    ui.root.classList.add("cpc-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcherBadge.hidden = true;
    ui.launcher.classList.remove("cpc-launcher--unread");
    // Restored history is already in place, so it is safe to go live now.
    ui.log.setAttribute("aria-live", "polite");
    connect();
    scrollToEnd();
    ui.input.focus();
  }

  function close() {
    if (!ui.panel) {
      return;
    }
    state.open = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("cpc-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.focus();
  }

  function send(text) {
    if (!state.open) {
      open();
    }
    ui.input.value = text === undefined || text === null ? "" : String(text);
    return sendFromInput();
  }

  function reset() {
    stopWaiting();
    state.transcript = [];
    state.sessionId = null;
    state.sessionToken = null;
    state.ready = false;
    store.set(KEY_TRANSCRIPT, null);
    store.set(KEY_SESSION, null);
    store.set(KEY_TOKEN, null);
    while (ui.log.firstChild) {
      ui.log.removeChild(ui.log.firstChild);
    }
    markHasMessages();
    ui.input.value = "";
    if (state.socket) {
      // A new socket connection gives a fresh session_request with no id,
      // so the server starts a new conversation.
      state.resetting = true;
      state.socket.disconnect();
      setConnectionState("connecting");
      state.socket.connect();
    }
    setStatus("The conversation has been cleared. You can start again.");
    if (state.open) {
      ui.input.focus();
    }
  }

  /* ------------------------------------------------------------------ */
  /* Boot: load the stylesheet first so nothing flashes unstyled          */
  /* ------------------------------------------------------------------ */

  var api = {
    __loaded: true,
    open: function () {
      open();
    },
    close: function () {
      close();
    },
    send: function (text) {
      return send(text);
    },
    reset: function () {
      reset();
    },
    isReady: function () {
      return state.ready;
    },
    sessionId: function () {
      return state.sessionId;
    },
    config: { server: config.server.origin, path: config.server.path, title: config.title,
              transports: config.transports.slice() }
  };
  window.CoprodChat = api;

  function loadCss() {
    return new Promise(function (resolve) {
      var href = assetBase + "coprod-chat.css";
      var links = document.querySelectorAll('link[rel="stylesheet"]');
      for (var i = 0; i < links.length; i++) {
        if (links[i].href === href) {
          resolve();
          return;
        }
      }
      var link = el("link", { rel: "stylesheet", href: href, "data-coprod-chat-css": "true" });
      var done = false;
      var finish = function () {
        if (!done) {
          done = true;
          resolve();
        }
      };
      link.addEventListener("load", finish);
      link.addEventListener("error", finish);
      window.setTimeout(finish, 4000);
      document.head.appendChild(link);
    });
  }

  function boot() {
    loadCss().then(function () {
      build();
      ui.root.setAttribute("data-ready", "true");
      try {
        document.dispatchEvent(new CustomEvent("coprodchat:ready"));
      } catch (e) {
        /* old browsers */
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
