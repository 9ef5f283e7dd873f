// Upload forms with a progress bar: the file goes up by XMLHttpRequest so that
// `xhr.upload.onprogress` can report it. Without JavaScript the forms post as usual.
(function () {
  "use strict";

  function showProgress(form, percent) {
    var box = form.querySelector(".upload-progress");
    box.hidden = false;
    box.querySelector("progress").value = percent;
    box.querySelector("progress").textContent = percent + "%";
    box.querySelector(".upload-percent").textContent = percent + "%";
  }

  function replaceForm(form, html) {
    // The answer is the whole uploads page with this form's errors: take its form.
    var page = new DOMParser().parseFromString(html, "text/html");
    var answered = page.getElementById(form.id);
    if (!answered) {
      return false;
    }
    form.replaceWith(answered);
    watch(answered);
    var alert = answered.querySelector("[role=alert], .errorlist");
    if (alert) {
      alert.scrollIntoView({ block: "center" });
    }
    return true;
  }

  function fail(form, message) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = false;
    var box = form.querySelector(".upload-progress");
    box.querySelector(".upload-percent").textContent = message;
  }

  function send(event) {
    var form = event.target;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (progress) {
      if (progress.lengthComputable) {
        showProgress(form, Math.round((progress.loaded / progress.total) * 100));
      }
    };
    xhr.onload = function () {
      var next = xhr.getResponseHeader("X-Redirect");
      if (xhr.status < 300 && (next || xhr.responseURL !== form.action)) {
        window.location.assign(next || xhr.responseURL);
      } else if (!replaceForm(form, xhr.responseText)) {
        fail(form, "The upload was refused (status " + xhr.status + ").");
      }
    };
    xhr.onerror = function () {
      fail(form, "The upload failed: the connection was lost. Try again.");
    };
    form.querySelector("button[type=submit]").disabled = true;
    showProgress(form, 0);
    xhr.send(new FormData(form));
  }

  function watch(form) {
    form.addEventListener("submit", send);
  }

  document.querySelectorAll("form[data-upload-form]").forEach(watch);
})();
