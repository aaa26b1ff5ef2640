/* Copy buttons of the provisioning page. Without JavaScript the buttons stay
   hidden and the read-only fields can be selected and copied by hand. */
(function () {
  "use strict";

  function announce(button, text) {
    var status = button.parentNode.querySelector(".scim-copy-status");
    if (status) {
      status.textContent = text;
    }
  }

  function copyByCommand(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-scim-copy"));
    if (!field) {
      return;
    }
    var done = function () { announce(button, button.getAttribute("data-copied") || "Copied"); };
    var failed = function () {
      if (copyByCommand(field)) {
        done();
      } else {
        announce(button, button.getAttribute("data-copy-failed") || "Select the text and copy it");
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  document.querySelectorAll("[data-scim-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
})();
