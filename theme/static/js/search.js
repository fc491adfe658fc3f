/* The search page: reads ?q= and the filters from the address, searches as the reader types,
   shows the entities the query names, the stories with snippets, and facets to filter them. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var SNIPPET_WORDS = 32;
  var TYPING_PAUSE_MS = 120;
  var FACET_VALUES = 8; // shown per facet, most stories first (chosen ones always)
  var ENTITY_CANDIDATES = 3; // per kind, from the entities of the first results
  var CANDIDATE_RECORDS = PAGE_SIZE; // records fetched anyway for the first page
  // Facets: the URL parameter, the heading, and where a story's value comes from.
  var FACETS = [
    { key: "beat", title: "Beat", column: "beat" },
    { key: "year", title: "Year", column: "year" },
    // Fetched when the reader opens it (or the address filters by it): one value per story
    // of hundreds of places is the largest facet file.
    { key: "place", title: "Dateline", column: "place", lazy: true },
    { key: "person", title: "People", kind: "person" },
    { key: "organisation", title: "Organisations", kind: "organization" },
    { key: "entity-place", title: "Places named", kind: "place" },
  ];

  var box = document.getElementById("search");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var hintsBox = document.getElementById("search-hints");
  var suggestionBox = document.getElementById("search-suggestion");
  var entitiesBox = document.getElementById("search-entities");
  var facetsBox = document.getElementById("search-facets");
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
    return new search.ShardedIndex(manifest, function (path) {
      return fetchJson(new URL(path, indexFolder));
    });
  });

  var latest = 0; // a slower, older search must not overwrite a newer one
  var state = { query: null, answer: null, all: [], shown: [], count: 0, facets: null, entityFacets: [] };

  function chosenFilters() {
    var params = new URL(window.location.href).searchParams;
    var chosen = {};
    FACETS.forEach(function (facet) {
      chosen[facet.key] = params.getAll(facet.key);
    });
    return chosen;
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("search-error", !!isError);
  }

  function clear(element) {
    element.textContent = "";
  }

  function run(queryString) {
    var ticket = ++latest;
    box.removeAttribute("data-searched");  // at work: set again by finished()
    var query = queryString.trim();
    state.query = query;
    if (!query) {
      state.all = [];
      [list, hintsBox, suggestionBox, entitiesBox, facetsBox].forEach(clear);
      more.hidden = true;
      setStatus("Type a word, a name or a place.");
      finished(ticket, query);
      return Promise.resolve();
    }
    return indexReady
      .then(function (index) {
        var chosen = chosenFilters();
        var columns = FACETS.filter(function (f) {
          return f.column && (!f.lazy || chosen[f.key].length || (state.facets && state.facets[f.column]));
        });
        return Promise.all([index.find(query)].concat(columns.map(function (f) {
          return index.facet(f.column);
        }))).then(function (loaded) {
          var facets = {};
          columns.forEach(function (f, number) { facets[f.column] = loaded[number + 1]; });
          return [loaded[0], facets];
        });
      })
      .then(
        function (found) {
          if (ticket !== latest) return;
          var answer = found[0];
          state.answer = answer;
          state.facets = found[1];
          state.all = answer.results.concat(answer.similar);
          showHints(answer);
          showEntities(answer.entities);
          if (answer.problem) {
            [list, suggestionBox, facetsBox].forEach(clear);
            more.hidden = true;
            setStatus("Cannot read that search: " + sentence(answer.problem), true);
            finished(ticket, query);
            return;
          }
          return entityFacets(state.all).then(function (entities) {
            if (ticket !== latest) return;
            state.entityFacets = entities;
            return render(ticket);
          });
        },
        function (error) {
          if (ticket !== latest) return;
          state.all = [];
          [list, hintsBox, suggestionBox, entitiesBox, facetsBox].forEach(clear);
          more.hidden = true;
          setStatus("Search failed (" + error.message + "). Reload the page to try again.", true);
          finished(ticket, query);
        }
      );
  }

  /* The entities most mentioned in the first results, with every story they are in. */
  function entityFacets(results) {
    var refs = results.slice(0, CANDIDATE_RECORDS).map(function (r) { return r.ref; });
    var chosen = chosenFilters();
    return Promise.all(refs.map(record)).then(function (docs) {
      var tally = Object.create(null);
      docs.forEach(function (doc) {
        (doc.entities || []).forEach(function (entity) {
          var key = entity[2] + "/" + entity[0];
          tally[key] = (tally[key] || 0) + 1;
        });
      });
      var ids = [];
      FACETS.forEach(function (facet) {
        if (!facet.kind) return;
        Object.keys(tally)
          .filter(function (key) { return key.indexOf(facet.kind + "/") === 0; })
          .sort(function (a, b) { return tally[b] - tally[a] || (a < b ? -1 : 1); })
          .slice(0, ENTITY_CANDIDATES)
          .forEach(function (key) { ids.push(key.slice(facet.kind.length + 1)); });
        chosen[facet.key].forEach(function (id) {
          if (ids.indexOf(id) === -1) ids.push(id);
        });
      });
      return indexReady.then(function (index) {
        return Promise.all(ids.map(function (id) { return index.entityDocuments(id); }));
      });
    }).then(function (entities) {
      return entities.filter(Boolean);
    });
  }

  /* A story's values for a facet. */
  function valuesOf(facet, ref) {
    if (facet.column) {
      var column = state.facets && state.facets[facet.column];
      if (!column) return [];
      var position = column.docs[parseInt(ref, 36)];
      return position ? [column.values[position - 1]] : [];
    }
    return state.entityFacets
      .filter(function (e) { return e.kind === facet.kind && e.refs.has(ref); })
      .map(function (e) { return e.id; });
  }

  /* Whether a story passes every chosen facet but `except`: any chosen value within a
     facet (OR), every facet with a choice (AND). */
  function passes(ref, chosen, except) {
    return FACETS.every(function (facet) {
      if (facet === except || chosen[facet.key].length === 0) return true;
      var values = valuesOf(facet, ref);
      return chosen[facet.key].some(function (value) { return values.indexOf(value) !== -1; });
    });
  }

  function render(ticket) {
    box.removeAttribute("data-searched");  // at work: set again by finished()
    var chosen = chosenFilters();
    var answer = state.answer;
    state.shown = state.all.filter(function (r) { return passes(r.ref, chosen, null); });
    var exact = answer.results.filter(function (r) { return passes(r.ref, chosen, null); }).length;
    var similar = state.shown.length - exact;
    var filtered = FACETS.some(function (f) { return chosen[f.key].length; }) ? " with the chosen filters" : "";
    var quoted = "\u201c" + state.query + "\u201d";
    var text = exact === 0
      ? "No stories match " + quoted + filtered + "."
      : exact + (exact === 1 ? " story matches " : " stories match ") + quoted + filtered + ".";
    if (similar) {
      var like = answer.similarWords.join(", ");
      text = exact === 0
        ? "No stories match " + quoted + filtered + "; showing " + similar +
          (similar === 1 ? " story" : " stories") + " with " + like + "."
        : text + " " + similar + (similar === 1 ? " more story" : " more stories") + " with " + like +
          " follow.";
    }
    setStatus(text);
    showSuggestion(answer.suggestion);
    showFacets(chosen);
    list.textContent = "";
    state.count = 0;
    return showMore(ticket).then(function () {
      finished(ticket, state.query);
    });
  }

  /* Marks the page as done with a query: what tests and the benchmark wait for. */
  function finished(ticket, query) {
    if (ticket === latest) box.setAttribute("data-searched", query);
  }

  function sentence(text) {
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function showHints(answer) {
    hintsBox.textContent = "";
    if (answer.problem) return;
    answer.hints.forEach(function (hint) {
      var p = document.createElement("p");
      p.textContent = hint;
      hintsBox.appendChild(p);
    });
  }

  function searchUrl(query) {
    var url = new URL(window.location.href);
    url.searchParams.set("q", query);
    return url.href;
  }

  function showSuggestion(suggestion) {
    suggestionBox.textContent = "";
    if (!suggestion) return;
    suggestionBox.appendChild(document.createTextNode("Did you mean "));
    var link = document.createElement("a");
    link.href = searchUrl(suggestion);
    var em = document.createElement("em");
    em.textContent = suggestion;
    link.appendChild(em);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      input.value = suggestion;
      window.history.pushState(null, "", link.href);
      run(suggestion);
    });
    suggestionBox.appendChild(link);
    suggestionBox.appendChild(document.createTextNode("?"));
  }

  var KIND_NAMES = { person: "Person", organization: "Organisation", place: "Place", other: "Other" };

  function showEntities(entities) {
    entitiesBox.textContent = "";
    entities.slice(0, 3).forEach(function (entity) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = new URL(entity.url, base).href;
      link.textContent = entity.name;
      var about = document.createElement("span");
      about.className = "story-meta";
      about.textContent = " " + (KIND_NAMES[entity.kind] || entity.kind) + " \u00b7 " + entity.stories +
        (entity.stories === 1 ? " story" : " stories");
      item.appendChild(link);
      item.appendChild(about);
      entitiesBox.appendChild(item);
    });
  }

  function facetLabel(facet, value) {
    if (facet.column) return value;
    var entity = state.entityFacets.filter(function (e) { return e.id === value; })[0];
    return entity ? entity.name : value;
  }

  function showFacets(chosen) {
    facetsBox.textContent = "";
    if (!state.all.length && !FACETS.some(function (f) { return chosen[f.key].length; })) return;
    FACETS.forEach(function (facet) {
      if (facet.lazy && !state.facets[facet.column]) {
        facetsBox.appendChild(lazyFacet(facet));
        return;
      }
      var counts = Object.create(null);
      state.all.forEach(function (result) {
        if (!passes(result.ref, chosen, facet)) return;
        valuesOf(facet, result.ref).forEach(function (value) {
          counts[value] = (counts[value] || 0) + 1;
        });
      });
      var values = Object.keys(counts).sort(function (a, b) {
        return counts[b] - counts[a] || (a < b ? -1 : 1);
      }).slice(0, FACET_VALUES);
      chosen[facet.key].forEach(function (value) {
        if (values.indexOf(value) === -1) values.push(value);
      });
      if (!values.length) return;
      var group = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = facet.title;
      group.appendChild(legend);
      values.forEach(function (value) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = facet.key;
        box.value = value;
        box.checked = chosen[facet.key].indexOf(value) !== -1;
        box.addEventListener("change", function () {
          toggleFilter(facet.key, value, box.checked);
        });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + facetLabel(facet, value) + " "));
        var count = document.createElement("span");
        count.className = "facet-count";
        count.textContent = "(" + (counts[value] || 0) + ")";
        label.appendChild(count);
        group.appendChild(label);
      });
      facetsBox.appendChild(group);
    });
  }

  /* A facet not fetched yet: its heading and a button that fetches it. */
  function lazyFacet(facet) {
    var group = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = facet.title;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "facet-show";
    button.textContent = "Show " + facet.title.toLowerCase() + "s";
    button.addEventListener("click", function () {
      button.disabled = true;
      indexReady.then(function (index) {
        return index.facet(facet.column);
      }).then(function (column) {
        state.facets[facet.column] = column || { values: [], docs: [] };
        render(++latest);
      });
    });
    group.appendChild(legend);
    group.appendChild(button);
    return group;
  }

  function toggleFilter(key, value, on) {
    var url = new URL(window.location.href);
    var values = url.searchParams.getAll(key).filter(function (v) { return v !== value; });
    if (on) values.push(value);
    url.searchParams.delete(key);
    values.forEach(function (v) { url.searchParams.append(key, v); });
    window.history.pushState(null, "", url.href);
    render(++latest);
  }

  function showMore(ticket) {
    var page = state.shown.slice(state.count, state.count + PAGE_SIZE);
    state.count += page.length;
    more.hidden = state.count >= state.shown.length;
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
      window.history.replaceState(null, "", searchUrl(input.value));
      run(input.value);
    }, TYPING_PAUSE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    window.history.replaceState(null, "", searchUrl(input.value));
    run(input.value);
  });
  more.addEventListener("click", function () {
    showMore(latest);
  });
  // Back and forward: the address holds the query and the filters.
  window.addEventListener("popstate", function () {
    var query = new URL(window.location.href).searchParams.get("q") || "";
    input.value = query;
    if (query.trim() === state.query && state.answer) render(++latest);
    else run(query);
  });

  var initial = new URL(window.location.href).searchParams.get("q") || "";
  input.value = initial;
  run(initial);
})();
