// Draws the page's charts with plotly.js (served from static/, no CDN): each
// <div data-figure="name"> gets the figure of that name from the page's JSON. A
// <select data-chart-select="chart-id"> switches the chart with that id to the figure
// named by the chosen option.
(function () {
  const source = document.getElementById("run-figures");
  if (!source || !window.Plotly) return;
  const figures = JSON.parse(source.textContent);
  const config = { displaylogo: false, responsive: true };

  function figureNamed(name) {
    if (name.startsWith("fairness-")) {
      return (figures.fairness || [])[Number(name.split("-")[1]) - 1];
    }
    return figures[name];
  }

  document.querySelectorAll("[data-figure]").forEach(function (element) {
    const figure = figureNamed(element.dataset.figure);
    if (figure) window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });

  document.querySelectorAll("select[data-chart-select]").forEach(function (select) {
    const chart = document.getElementById(select.dataset.chartSelect);
    if (!chart) return;
    function show() {
      const figure = figureNamed(select.value);
      if (!figure || chart.dataset.figure === select.value) return;
      chart.dataset.figure = select.value;
      chart.setAttribute("aria-label", figure.layout.title.text);
      window.Plotly.react(chart, figure.data, figure.layout, config);
    }
    select.addEventListener("change", show);
    show(); // a reload may restore another choice than the one first drawn
  });
})();
