/* The search benchmark's page: one query, sharded (the site's search-core.js) or with one
   whole lunr index; records for the first ten results are fetched as the search page does.
   Sets window.benchDone = {ms, count} when the results are ready. */
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var query = params.get("q");
  function json(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }
  function finish(results) {
    return Promise.all(results.slice(0, 10).map(function (r) {
      return json("search/docs/" + r.ref + ".json");
    })).then(function () {
      window.benchDone = { ms: performance.now(), count: results.length };
    });
  }
  var search;
  if (params.get("mode") === "whole") {
    search = json("whole.json").then(function (data) {
      return lunr.Index.load(data).search(query);
    });
  } else {
    search = json("search/manifest.json").then(function (manifest) {
      var index = new NewsSearch.ShardedIndex(manifest, function (file) {
        return json("search/" + file);
      });
      return index.search(query);
    });
  }
  search.then(finish).catch(function (error) {
    window.benchDone = { error: String(error) };
  });
})();
