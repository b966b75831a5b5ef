// Live questions board. The server stream says only "version n"; this script then fetches the
// board fragment through the ordinary view (which decides what this viewer may see) and swaps it in.
// Without the stream it polls; without JavaScript the page works by reloading.
(function () {
  "use strict";

  var FAST_POLL_MS = 1500; // while the stream is down or refused
  var SAFETY_POLL_MS = 5000; // always: an update published by another process without Redis
  var REOPEN_MS = 30000; // a refused stream (503) is tried again after this
  var ANNOUNCE_GAP_MS = 10000; // screen readers hear "updated" at most this often

  if (!window.fetch || !document.getElementById("board")) {
    return;
  }

  var source = null;
  var fastTimer = null;
  var busy = false;
  var wanted = false;
  var lastAnnounced = 0;
  var beforeAction = null; // where the member was when their own vote or moderation click left

  function board() {
    return document.getElementById("board");
  }

  function shownVersion() {
    var current = board();
    return current ? parseInt(current.getAttribute("data-version"), 10) || 0 : 0;
  }

  // `mine`: the result of the member's own action, said at once; live news waits its turn.
  function announce(text, mine) {
    var status = document.getElementById("board-status");
    var now = Date.now();
    if (!status || (!mine && now - lastAnnounced < ANNOUNCE_GAP_MS)) {
      return;
    }
    lastAnnounced = now;
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 100);
  }

  // The row nearest the top of the screen, so the list does not jump under the reader's eyes.
  function anchorRow(current) {
    var rows = current.querySelectorAll("article[id^='question-']");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getBoundingClientRect().bottom > 0) {
        return rows[i];
      }
    }
    return null;
  }

  function swapIn(html) {
    var current = board();
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content.querySelector("#board");
    if (!current || !fresh) {
      return; // not a board (a sign-in page after the session ended, say): leave the page alone
    }
    if ((parseInt(fresh.getAttribute("data-version"), 10) || 0) <= shownVersion()) {
      return; // the member's own action already brought this version or a newer one
    }
    var focused = document.activeElement;
    var focusId = focused && focused.id && current.contains(focused) ? focused.id : null;
    var anchor = focusId ? focused : anchorRow(current);
    var anchorId = anchor ? anchor.id : null;
    var anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;

    current.replaceWith(fresh);
    if (window.htmx) {
      window.htmx.process(fresh);
    }

    var moved = anchorId ? document.getElementById(anchorId) : null;
    if (moved) {
      window.scrollBy(0, moved.getBoundingClientRect().top - anchorTop);
    }
    // Focus goes back only where it was: a button in a row that is still there.
    var again = focusId ? document.getElementById(focusId) : null;
    if (again && fresh.contains(again)) {
      again.focus({ preventScroll: true });
    }
    announce("Questions updated");
  }

  function refresh() {
    var current = board();
    if (!current) {
      return;
    }
    if (busy) {
      wanted = true;
      return;
    }
    // A vote or moderation click is on its way: its own response redraws the board; look after it.
    if (current.querySelector(".htmx-request")) {
      wanted = true;
      window.setTimeout(next, 300);
      return;
    }
    busy = true;
    var url = current.getAttribute("data-board-url") + "?v=" + encodeURIComponent(shownVersion());
    window
      .fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.status === 200 && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          swapIn(html);
        }
      })
      .catch(function () {
        // Offline for a moment: the next poll tries again.
      })
      .then(function () {
        busy = false;
        next();
      });
  }

  function next() {
    if (wanted) {
      wanted = false;
      refresh();
    }
  }

  function poll() {
    if (!document.hidden) {
      refresh();
    }
  }

  function startFastPolling() {
    if (fastTimer === null) {
      fastTimer = window.setInterval(poll, FAST_POLL_MS);
    }
  }

  function stopFastPolling() {
    if (fastTimer !== null) {
      window.clearInterval(fastTimer);
      fastTimer = null;
    }
  }

  function openStream() {
    var current = board();
    var url = current && current.getAttribute("data-stream-url");
    if (!window.EventSource || !url) {
      startFastPolling();
      return;
    }
    source = new window.EventSource(url);
    source.addEventListener("version", function (event) {
      var data = null;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (data && typeof data.version === "number" && data.version > shownVersion()) {
        refresh();
      }
    });
    source.addEventListener("open", stopFastPolling);
    source.addEventListener("error", function () {
      // The stream ended (it does every minute and reconnects) or was refused: poll meanwhile.
      startFastPolling();
      if (source && source.readyState === window.EventSource.CLOSED) {
        source.close();
        source = null;
        window.setTimeout(openStream, REOPEN_MS);
      }
    });
  }

  function closeStream() {
    if (source) {
      source.close();
      source = null;
    }
  }

  function isBoard(html) {
    return typeof html === "string" && /^\s*<div id="board"/.test(html);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var current = board();
    if (!current || !elt || !current.contains(elt)) {
      return;
    }
    var focused = document.activeElement;
    var row = elt.closest ? elt.closest("article[id^='question-']") : null;
    beforeAction = { focusId: focused && focused.id ? focused.id : null, rowId: row ? row.id : null };
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.target || detail.target.id !== "board") {
      return;
    }
    // A refused vote (429) comes back as the board with its message: show it instead of dropping it.
    if (detail.xhr && detail.xhr.status === 429) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
    // Not a board: the session ended (the sign-in page came back) or the form's token went stale.
    // Never put a whole page inside the list; load the page again, which asks to sign in if need be.
    if (detail.shouldSwap && !isBoard(detail.serverResponse)) {
      detail.shouldSwap = false;
      beforeAction = null;
      window.location.reload();
    }
  });
  // The button pressed may be gone (Approve, Pin, Dismiss change the row): keep focus in the same
  // question rather than losing it to the top of the page, and say what happened.
  document.addEventListener("htmx:afterSettle", function () {
    var state = beforeAction;
    var current = board();
    beforeAction = null;
    if (!state || !current) {
      return;
    }
    var focused = document.activeElement;
    if (!focused || focused === document.body || !document.documentElement.contains(focused)) {
      var again = state.focusId ? document.getElementById(state.focusId) : null;
      var row = state.rowId ? document.getElementById(state.rowId) : null;
      var target = again || (row && row.querySelector("button, a[href]"));
      if (!target) {
        target = row || current.querySelector("h2");
        if (target) {
          target.setAttribute("tabindex", "-1");
        }
      }
      if (target) {
        target.focus();
      }
    }
    var message = current.getAttribute("data-message");
    if (message) {
      announce(message, true);
    }
  });
  // The question went away meanwhile (dismissed, merged, approved elsewhere): show the list as it is now.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "board") {
      beforeAction = null;
      announce("That question has changed; the list is updated.", true);
      refresh();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
  // Give the server its stream back when the page goes away; reopen it if the page comes back.
  window.addEventListener("pagehide", closeStream);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !source) {
      openStream();
      refresh();
    }
  });

  window.setInterval(poll, SAFETY_POLL_MS);
  openStream();
})();
