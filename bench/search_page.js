/* The search benchmark's page: one query, sharded (the site's search-core.js, fetching what
   the search page fetches: the query's shards and aids, records for the first ten results,
   the facets and the documents of the entities they name) or with one whole lunr index.
   A facet in the address (&beat=…) is applied as the page applies it.
   Sets window.benchDone = {ms, count} when the results are ready. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var query = params.get("q");
  var ENTITIES_PER_KIND = 3;
  function json(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }
  function records(results) {
    return Promise.all(results.slice(0, 10).map(function (r) {
      return json("search/docs/" + r.ref + ".json");
    }));
  }
  function done(count) {
    window.benchDone = { ms: performance.now(), count: count };
  }
  var search;
  if (params.get("mode") === "whole") {
    search = json("whole.json").then(function (data) {
      var results = lunr.Index.load(data).search(query);
      return records(results).then(function () { done(results.length); });
    });
  } else {
    search = json("search/manifest.json").then(function (manifest) {
      var index = new NewsSearch.ShardedIndex(manifest, function (path) {
        return json("search/" + path);
      });
      return index.find(query).then(function (answer) {
        var results = answer.results.concat(answer.similar);
        // As the page: the dateline column only when the address filters by it.
        var columns = ["beat", "year", "place"].map(function (f) {
          return f !== "place" || params.get(f) ? index.facet(f) : Promise.resolve(null);
        });
        return Promise.all([records(results), Promise.all(columns)]).then(function (loaded) {
          var byKind = {};
          loaded[0].forEach(function (doc) {
            (doc.entities || []).forEach(function (e) {
              var list = byKind[e[2]] || (byKind[e[2]] = []);
              if (list.indexOf(e[0]) === -1 && list.length < ENTITIES_PER_KIND) list.push(e[0]);
            });
          });
          var ids = [].concat.apply([], Object.keys(byKind).map(function (k) { return byKind[k]; }));
          return Promise.all(ids.map(function (id) { return index.entityDocuments(id); })).then(function () {
            var facets = { beat: loaded[1][0], year: loaded[1][1], place: loaded[1][2] };
            var filtered = results.filter(function (r) {
              return ["beat", "year", "place"].every(function (facet) {
                var wanted = params.get(facet);
                if (!wanted) return true;
                var column = facets[facet];
                var position = column.docs[parseInt(r.ref, 36)];
                return position && column.values[position - 1] === wanted;
              });
            });
            done(filtered.length);
          });
        });
      });
    });
  }
  search.catch(function (error) {
    window.benchDone = { error: String(error) };
  });
})();
