// The test plan editor: with htmx loaded, choosing a check swaps in its parameter form,
// so the no-JavaScript "Choose" button is not needed.
(function () {
  if (!window.htmx) return;
  document.querySelectorAll(".check-chooser .js-hidden").forEach(function (button) {
    button.hidden = true;
  });
})();
