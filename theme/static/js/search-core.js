/* Search over a lunr index cut into term-range shards (see core/search_index.py).
 *
 * Only the shards holding a query's terms are fetched. Each term comes with its position in
 * the whole index and, for every document field it occurs in, the weight lunr computed from
 * the whole archive; the loaded terms are assembled into an ordinary lunr.Index, so lunr.js
 * itself parses, expands and scores the query, and the scores are the whole index's.
 * Runs in the page (window.NewsSearch) and under Node (module.exports, for the tests).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory;
  } else {
    root.NewsSearch = factory(root.lunr);
  }
})(this, function (lunr) {
  "use strict";

  var LAST_CHARACTER = "\uffff";

  function ShardedIndex(manifest, fetchShard) {
    this.fields = manifest.fields;
    this.shards = manifest.shards; // [first term, last term, file]
    this.pipeline = lunr.Pipeline.load(manifest.pipeline);
    this.fetchShard = fetchShard; // file name -> Promise of the parsed shard
    this.pending = Object.create(null);
    this.invertedIndex = Object.create(null);
    this.fieldVectors = Object.create(null);
    this.index = null;
  }

  /* The parsed query; throws lunr.QueryParseError for bad syntax. */
  ShardedIndex.prototype.parse = function (queryString) {
    var query = new lunr.Query(this.fields);
    new lunr.QueryParser(queryString, query).parse();
    return query;
  };

  /* Numbers of the shards a query can touch: the one holding each term, every one that
     can hold a word starting with a wildcard term's prefix, and all for a fuzzy term. */
  ShardedIndex.prototype.shardsFor = function (query) {
    var needed = Object.create(null);
    var self = this;
    query.clauses.forEach(function (clause) {
      var terms = clause.usePipeline
        ? self.pipeline.runString(clause.term, { fields: clause.fields })
        : [clause.term];
      terms.forEach(function (term) {
        var star = term.indexOf("*");
        var low = star === -1 ? term : term.slice(0, star);
        var high = star === -1 ? term : low + LAST_CHARACTER;
        if (clause.editDistance || low === "") {
          low = "";
          high = LAST_CHARACTER;
        }
        self.shards.forEach(function (shard, number) {
          if (shard[1] >= low && shard[0] <= high) needed[number] = true;
        });
      });
    });
    return Object.keys(needed).map(Number);
  };

  ShardedIndex.prototype.load = function (numbers) {
    var self = this;
    return Promise.all(
      numbers.map(function (number) {
        if (!self.pending[number]) {
          self.pending[number] = self.fetchShard(self.shards[number][2]).then(function (terms) {
            self.add(terms);
          });
          self.pending[number].catch(function () {
            delete self.pending[number]; // let a later query try again
          });
        }
        return self.pending[number];
      })
    );
  };

  /* Adds a shard's terms: [term, position, refs, weights, refs, weights, ...], one pair per
     field, refs as differences from the previous document number. */
  ShardedIndex.prototype.add = function (terms) {
    var fields = this.fields;
    for (var t = 0; t < terms.length; t++) {
      var entry = terms[t];
      var position = entry[1];
      var posting = { _index: position };
      for (var f = 0; f < fields.length; f++) {
        var deltas = entry[2 + 2 * f];
        var weights = entry[3 + 2 * f];
        var documents = Object.create(null);
        var number = 0;
        for (var d = 0; d < deltas.length; d++) {
          number += deltas[d];
          var ref = number.toString(36);
          documents[ref] = {};
          var fieldRef = fields[f] + "/" + ref;
          var vector = this.fieldVectors[fieldRef] || (this.fieldVectors[fieldRef] = new lunr.Vector());
          vector.insert(position, weights[d]);
        }
        posting[fields[f]] = documents;
      }
      this.invertedIndex[entry[0]] = posting;
    }
    this.index = null;
  };

  ShardedIndex.prototype.lunrIndex = function () {
    if (!this.index) {
      this.index = new lunr.Index({
        invertedIndex: this.invertedIndex,
        fieldVectors: this.fieldVectors,
        tokenSet: lunr.TokenSet.fromArray(Object.keys(this.invertedIndex).sort()),
        fields: this.fields,
        pipeline: this.pipeline,
      });
    }
    return this.index;
  };

  /* lunr's results for the query, after fetching the shards it needs. A query that only
     excludes words is refused: it would need every document of the archive. */
  ShardedIndex.prototype.search = function (queryString) {
    var query = this.parse(queryString);
    if (query.clauses.length === 0) return Promise.resolve([]);
    var onlyExcludes = query.clauses.every(function (clause) {
      return clause.presence === lunr.Query.presence.PROHIBITED;
    });
    if (onlyExcludes) {
      return Promise.reject(
        new lunr.QueryParseError("Say what to look for as well as what to leave out.", 0, 0)
      );
    }
    var self = this;
    return this.load(this.shardsFor(query)).then(function () {
      return self.lunrIndex().search(queryString);
    });
  };

  /* ---- Snippets: made here from each shown result's record, so no positions are stored. */

  var EDGES = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
  var POSSESSIVE = /['\u2019]s$/i;
  var WORD = /[^\s\-]+/g;

  function stemOf(word) {
    var clean = word.toLowerCase().replace(EDGES, "").replace(POSSESSIVE, "");
    return clean ? lunr.stemmer(new lunr.Token(clean)).toString() : "";
  }

  /* The stems to highlight: the matched terms, and for a match on an entity's name, the
     stems of all that entity's spellings (a search for Jagarian marks Dzhagaryan). */
  function highlightStems(matchData, nameGroups) {
    var stems = Object.create(null);
    var metadata = matchData.metadata;
    Object.keys(metadata).forEach(function (term) {
      stems[term] = true;
    });
    (nameGroups || []).forEach(function (group) {
      var words = [];
      group.forEach(function (name) {
        (name.match(WORD) || []).forEach(function (w) {
          words.push(stemOf(w));
        });
      });
      var matched = words.some(function (s) {
        return metadata[s] && metadata[s].names;
      });
      if (matched) {
        words.forEach(function (s) {
          if (s) stems[s] = true;
        });
      }
    });
    return stems;
  }

  /* Text cut into [text, marked] pieces. */
  function marked(text, stems) {
    var pieces = [];
    var last = 0;
    var found;
    WORD.lastIndex = 0;
    while ((found = WORD.exec(text))) {
      if (stems[stemOf(found[0])]) {
        var inner = found[0].replace(/^[^\p{L}\p{N}]+/u, "");
        var start = found.index + (found[0].length - inner.length);
        var word = inner.replace(/[^\p{L}\p{N}]+$/u, "").replace(POSSESSIVE, "");
        if (start > last) pieces.push([text.slice(last, start), false]);
        pieces.push([word, true]);
        last = start + word.length;
      }
    }
    if (last < text.length) pieces.push([text.slice(last), false]);
    return pieces;
  }

  /* About `words` words of text around the densest run of highlighted words. */
  function snippet(text, stems, words) {
    var spans = [];
    var found;
    WORD.lastIndex = 0;
    while ((found = WORD.exec(text))) {
      spans.push([found.index, found.index + found[0].length, !!stems[stemOf(found[0])]]);
    }
    if (spans.length === 0) return [];
    var best = 0;
    var bestCount = -1;
    var count = 0;
    for (var i = 0; i < spans.length; i++) {
      if (spans[i][2]) count++;
      if (i >= words && spans[i - words][2]) count--;
      var start = Math.max(0, i - words + 1);
      if (count > bestCount) {
        bestCount = count;
        best = start;
      }
    }
    // Start a little before the first highlighted word of the window, not on it.
    for (var j = best; j < Math.min(spans.length, best + words); j++) {
      if (spans[j][2]) {
        best = Math.max(0, j - Math.floor(words / 4));
        break;
      }
    }
    var end = Math.min(spans.length, best + words) - 1;
    var piece = text.slice(spans[best][0], spans[end][1]);
    var pieces = marked(piece, stems);
    if (best > 0) pieces.unshift(["\u2026 ", false]);
    if (end < spans.length - 1) pieces.push([" \u2026", false]);
    return pieces;
  }

  return {
    ShardedIndex: ShardedIndex,
    highlightStems: highlightStems,
    marked: marked,
    snippet: snippet,
    stemOf: stemOf,
  };
});
