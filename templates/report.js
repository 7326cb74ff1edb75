(function () {
  "use strict";
  var root = document.documentElement;
  var THEME_KEY = "datatenet-theme";

  function stored() {
    try { return window.localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }
  function store(value) {
    try { window.localStorage.setItem(THEME_KEY, value); } catch (e) { /* file:// may forbid it */ }
  }
  if (stored()) { root.setAttribute("data-theme", stored()); }
  Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (button) {
    button.addEventListener("click", function () {
      var current = root.getAttribute("data-theme");
      var dark = current === "dark" ||
        (current !== "light" && window.matchMedia("(prefers-color-scheme: dark)").matches);
      var next = dark ? "light" : "dark";
      root.setAttribute("data-theme", next);
      store(next);
    });
  });

  function cellValue(row, index) {
    var cell = row.children[index];
    return cell ? cell.textContent.trim() : "";
  }
  function asNumber(text) {
    var cleaned = text.replace(/,/g, "").replace(/%$/, "");
    return cleaned !== "" && !isNaN(cleaned) ? parseFloat(cleaned) : null;
  }
  function compareText(a, b) {
    var x = asNumber(a), y = asNumber(b);
    if (x !== null && y !== null) { return x - y; }
    return a.localeCompare(b);
  }

  function setUpList(list) {
    var body = list.querySelector("[data-items]");
    if (!body) { return; }
    var items = Array.prototype.slice.call(body.querySelectorAll(":scope > [data-item]"));
    var filter = list.querySelector("[data-filter]");
    var facets = Array.prototype.slice.call(list.querySelectorAll("[data-facet]"));
    var sorter = list.querySelector("[data-sort]");
    var pager = list.querySelector("[data-pager]");
    var counter = list.querySelector("[data-count]");
    var size = parseInt(list.getAttribute("data-page-size") || "25", 10);
    var page = 0;
    items.forEach(function (item) { item.searchText = item.textContent.toLowerCase(); });

    function matches(item, query) {
      if (query && item.searchText.indexOf(query) < 0) { return false; }
      return facets.every(function (facet) {
        return !facet.value || item.getAttribute("data-" + facet.getAttribute("data-facet")) === facet.value;
      });
    }

    function render() {
      var query = filter ? filter.value.trim().toLowerCase() : "";
      var shown = items.filter(function (item) {
        var ok = matches(item, query);
        item.classList.toggle("filtered", !ok);
        return ok;
      });
      var pages = Math.max(1, Math.ceil(shown.length / size));
      page = Math.min(page, pages - 1);
      shown.forEach(function (item, index) {
        item.classList.toggle("paged", index < page * size || index >= (page + 1) * size);
      });
      if (counter) { counter.textContent = shown.length + " of " + items.length; }
      if (pager) { drawPager(pages); }
    }

    function drawPager(pages) {
      pager.textContent = "";
      if (pages < 2) { return; }
      var previous = document.createElement("button");
      previous.type = "button";
      previous.textContent = "‹ previous";
      previous.disabled = page === 0;
      previous.addEventListener("click", function () { page -= 1; render(); });
      var label = document.createElement("span");
      label.textContent = "page " + (page + 1) + " of " + pages;
      var next = document.createElement("button");
      next.type = "button";
      next.textContent = "next ›";
      next.disabled = page >= pages - 1;
      next.addEventListener("click", function () { page += 1; render(); });
      pager.appendChild(previous);
      pager.appendChild(label);
      pager.appendChild(next);
    }

    function reorder(compare) {
      items.sort(compare);
      items.forEach(function (item) { body.appendChild(item); });
      page = 0;
      render();
    }

    if (filter) { filter.addEventListener("input", function () { page = 0; render(); }); }
    facets.forEach(function (facet) { facet.addEventListener("change", function () { page = 0; render(); }); });
    if (sorter) {
      sorter.addEventListener("change", function () {
        var how = sorter.value;
        reorder(function (a, b) {
          if (how === "score-desc" || how === "score-asc") {
            var d = parseFloat(a.getAttribute("data-score")) - parseFloat(b.getAttribute("data-score"));
            return how === "score-desc" ? -d : d;
          }
          if (how === "origin") {
            return a.getAttribute("data-origin").localeCompare(b.getAttribute("data-origin"), undefined, { numeric: true });
          }
          return parseInt(a.getAttribute("data-rank"), 10) - parseInt(b.getAttribute("data-rank"), 10);
        });
      });
    }
    Array.prototype.forEach.call(list.querySelectorAll("th[data-col]"), function (header) {
      function sort() {
        var index = parseInt(header.getAttribute("data-col"), 10);
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(header.parentNode.children, function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        reorder(function (a, b) {
          var d = compareText(cellValue(a, index), cellValue(b, index));
          return ascending ? d : -d;
        });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    render();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-list]"), setUpList);
})();
