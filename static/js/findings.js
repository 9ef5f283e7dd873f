// The triage list: a "select all on this page" box for the bulk form. Added by script
// because without script it could do nothing; each row keeps its own labelled box.
(function () {
  const form = document.getElementById("bulk-form");
  const header = form && form.querySelector("th.select-column");
  if (!header) return;
  const rows = Array.from(form.querySelectorAll("input.row-select"));
  const all = document.createElement("input");
  all.type = "checkbox";
  all.setAttribute("aria-label", "Select all findings on this page");
  header.replaceChildren(all);
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
  });
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      all.checked = rows.every(function (row) { return row.checked; });
    });
  });
})();
