/* The search page: reads ?q=, searches as the reader types, shows results with snippets. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var SNIPPET_WORDS = 32;
  var TYPING_PAUSE_MS = 120;

  var box = document.getElementById("search");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  if (!box || !input) return;

  if (!window.lunr || !window.NewsSearch) {
    status.textContent = "Search is not available: its script did not load.";
    return;
  }
  var search = window.NewsSearch;
  var base = new URL(box.getAttribute("data-base"), document.baseURI);
  var indexFolder = new URL(box.getAttribute("data-index"), document.baseURI);

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(response.status + " for " + url);
      return response.json();
    });
  }

  var records = Object.create(null);
  function record(ref) {
    if (!records[ref]) {
      records[ref] = fetchJson(new URL("docs/" + ref + ".json", indexFolder));
    }
    return records[ref];
  }

  var indexReady = fetchJson(new URL("manifest.json", indexFolder)).then(function (manifest) {
    return new search.ShardedIndex(manifest, function (file) {
      return fetchJson(new URL("shards/" + file, indexFolder));
    });
  });

  var latest = 0; // a slower, older search must not overwrite a newer one
  var results = [];
  var shown = 0;

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("search-error", !!isError);
  }

  function run(queryString) {
    var ticket = ++latest;
    var query = queryString.trim();
    if (!query) {
      results = [];
      list.textContent = "";
      more.hidden = true;
      setStatus("Type a word, a name or a place.");
      finished(ticket, query);
      return Promise.resolve();
    }
    return indexReady
      .then(function (index) {
        return index.search(query);
      })
      .then(
        function (found) {
          if (ticket !== latest) return;
          results = found;
          shown = 0;
          list.textContent = "";
          var count = found.length;
          setStatus(
            count === 0
              ? "No stories match \u201c" + query + "\u201d."
              : count + (count === 1 ? " story matches" : " stories match") + " \u201c" + query + "\u201d."
          );
          return showMore(ticket).then(function () {
            finished(ticket, query);
          });
        },
        function (error) {
          if (ticket !== latest) return;
          results = [];
          list.textContent = "";
          more.hidden = true;
          if (error instanceof window.lunr.QueryParseError) {
            setStatus("Cannot read that search: " + sentence(error.message) + " See the tips below.", true);
          } else {
            setStatus("Search failed (" + error.message + "). Reload the page to try again.", true);
          }
          finished(ticket, query);
        }
      );
  }

  /* Marks the page as done with a query: what tests and the benchmark wait for. */
  function finished(ticket, query) {
    if (ticket === latest) box.setAttribute("data-searched", query);
  }

  function sentence(text) {
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function showMore(ticket) {
    var page = results.slice(shown, shown + PAGE_SIZE);
    shown += page.length;
    more.hidden = shown >= results.length;
    return Promise.all(
      page.map(function (result) {
        return record(result.ref).then(function (doc) {
          return [result, doc];
        });
      })
    ).then(function (pairs) {
      if (ticket !== latest) return;
      pairs.forEach(function (pair) {
        list.appendChild(resultItem(pair[0], pair[1]));
      });
    });
  }

  function appendPieces(parent, pieces) {
    pieces.forEach(function (piece) {
      if (piece[1]) {
        var mark = document.createElement("mark");
        mark.textContent = piece[0];
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(piece[0]));
      }
    });
  }

  function resultItem(result, doc) {
    var stems = search.highlightStems(result.matchData, doc.names);
    var item = document.createElement("li");
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = new URL(doc.url, base).href;
    appendPieces(link, search.marked(doc.title, stems));
    heading.appendChild(link);
    var date = document.createElement("p");
    date.className = "story-meta";
    date.textContent = doc.date;
    var text = document.createElement("p");
    text.className = "snippet";
    appendPieces(text, search.snippet(doc.text, stems, SNIPPET_WORDS));
    item.appendChild(heading);
    item.appendChild(date);
    item.appendChild(text);
    return item;
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url.href);
      run(input.value);
    }, TYPING_PAUSE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  more.addEventListener("click", function () {
    showMore(latest);
  });

  var initial = new URL(window.location.href).searchParams.get("q") || "";
  input.value = initial;
  run(initial);
})();
