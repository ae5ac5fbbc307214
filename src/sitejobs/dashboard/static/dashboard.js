// sitejobs dashboard: live rows and live execution pages over server-sent events. No dependencies.
"use strict";

(function () {
  function element(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function say(text) {
    const status = document.getElementById("live-status");
    if (status) status.textContent = text;
  }

  function connect(url, handlers) {
    const source = new EventSource(url);
    source.addEventListener("open", () => say("Live."));
    source.addEventListener("error", () => say("Reconnecting…"));
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, handle);
    }
    // the session was signed out (here or in another window): go and sign in again
    source.addEventListener("signed-out", (event) => {
      source.close();
      const here = window.location.pathname + window.location.search;
      window.location.assign(JSON.parse(event.data).login + "?next=" + encodeURIComponent(here));
    });
    window.addEventListener("pagehide", () => source.close());
    return source;
  }

  function watchTable(table) {
    const body = table.tBodies[0];
    const insert = table.dataset.insert === "yes";
    connect(table.dataset.stream, {
      rows(event) {
        for (const item of JSON.parse(event.data)) {
          const fresh = element(item.html);
          const old = body.querySelector('tr[data-execution-id="' + item.id + '"]');
          if (old) {
            old.replaceWith(fresh);
          } else if (insert && item.match) {
            let next = null;
            for (const row of body.rows) {
              if (Number(row.dataset.executionId) < item.id) { next = row; break; }
            }
            body.insertBefore(fresh, next);
            const empty = document.querySelector(".empty");
            if (empty) empty.remove();
          }
        }
      },
    });
  }

  function watchExecution(section) {
    const log = document.getElementById("log");
    const url = section.dataset.stream + "?offset=" + encodeURIComponent(log.dataset.offset || "0");
    connect(url, {
      summary(event) {
        section.innerHTML = JSON.parse(event.data).html;
      },
      log(event) {
        const following = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
        log.append(JSON.parse(event.data));
        log.dataset.offset = event.lastEventId;
        if (following) log.scrollTop = log.scrollHeight;
      },
    });
  }

  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const table = document.getElementById("executions");
    if (table) watchTable(table);
    const summary = document.getElementById("summary");
    if (summary) watchExecution(summary);
  });
})();
