// Forms marked data-working="<text>" run a long action (e-mailing every firm, an import): once
// sent, the button says so and is disabled, and a second press sends nothing. Without this
// script the form simply submits; the server side is safe to send twice anyway.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-working");
    if (!text) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var button = event.submitter || form.querySelector("[type=submit]");
    // After the browser has read the form: a disabled button would not send its name.
    window.setTimeout(function () {
      if (!button) {
        return;
      }
      button.setAttribute("data-idle", button.tagName === "INPUT" ? button.value : button.textContent);
      button.disabled = true;
      if (button.tagName === "INPUT") {
        button.value = text;
      } else {
        button.textContent = text;
      }
    }, 0);
  });

  // Back to a page kept in the browser's memory: the buttons work again.
  window.addEventListener("pageshow", function () {
    var buttons = document.querySelectorAll("form[data-working] [data-idle]");
    Array.prototype.forEach.call(buttons, function (button) {
      var idle = button.getAttribute("data-idle");
      if (button.tagName === "INPUT") {
        button.value = idle;
      } else {
        button.textContent = idle;
      }
      button.disabled = false;
      button.removeAttribute("data-idle");
      button.form.removeAttribute("aria-busy");
    });
  });
})();
