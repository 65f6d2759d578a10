// Destructive actions ask first: a form, or the button that submits it, with a
// data-confirm message is sent only when the user agrees. (A static file, not an
// inline handler: the Content-Security-Policy allows no inline script.)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
