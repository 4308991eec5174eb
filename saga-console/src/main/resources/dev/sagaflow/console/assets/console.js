// Sagaflow console: opens the confirmation dialogs of retry and abort. Without this script the same
// buttons lead to a confirmation page, so every action works without JavaScript too.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("a[data-dialog]").forEach(function (button) {
    var dialog = document.getElementById(button.getAttribute("data-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var first = dialog.querySelector("textarea, button[type=submit]");
      if (first) {
        first.focus();
      }
    });
    dialog.querySelectorAll("[data-close]").forEach(function (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.close();
      });
    });
  });
});
