// A print job's page: poll its JSON status and update the message, the bar and the link.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.querySelector(".job[data-status-url]");
  if (!box) { return; }
  var message = box.querySelector(".job-message");
  var bar = box.querySelector(".job-progress");
  var download = box.querySelector(".job-download");
  var again = box.querySelector(".job-again");
  var delay = 1000;

  function show(state) {
    message.textContent = state.message;
    message.classList.toggle("bad", state.status === "failed");
    bar.value = state.percent;
    bar.hidden = state.status === "failed";
    if (state.download) {
      download.href = state.download;
      download.hidden = false;
    }
    again.hidden = state.status !== "failed";
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.status === "queued" || state.status === "running") {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);  // the server is busy or away: try again later
        window.setTimeout(poll, delay);
      });
  }

  if (box.dataset.status === "queued" || box.dataset.status === "running") {
    window.setTimeout(poll, delay);
  }
})();
