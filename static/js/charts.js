// Draws the run page's charts with plotly.js (served from static/, no CDN): each
// <div data-figure="name"> gets the figure of that name from the page's JSON.
(function () {
  const source = document.getElementById("run-figures");
  if (!source || !window.Plotly) return;
  const figures = JSON.parse(source.textContent);
  const config = { displaylogo: false, responsive: true };
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    const name = element.dataset.figure;
    let figure = figures[name];
    if (name.startsWith("fairness-")) {
      figure = (figures.fairness || [])[Number(name.split("-")[1]) - 1];
    }
    if (figure) window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });
})();
