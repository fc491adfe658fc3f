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
  var presence = lunr.Query.presence;
  var QUOTE = /["\u201c\u201d\u201e\u00ab\u00bb]/g;
  var QUOTED = /([+-]?)["\u201c\u201d\u201e\u00ab\u00bb]([^"\u201c\u201d\u201e\u00ab\u00bb]*)["\u201c\u201d\u201e\u00ab\u00bb]/g;
  var POSSESSIVES = /['\u2019]s\b/gi; // dropped, as the index drops them (search_index.searchable)
  var WORD_EDGES = /^[^\p{L}\p{N}\p{M}_*]+|[^\p{L}\p{N}\p{M}_*]+$/gu;
  var HAS_WORD = /[\p{L}\p{N}]/u;
  var LETTERS = /^\p{L}+$/u;
  var TYPO_FEW = 3; // a word in fewer documents than this may be a typo
  var TYPO_CANDIDATES = 3;
  var MAX_ENTITY_WORDS = 5;

  /* ---- Reading a query: never fails. Words and "phrases", with lunr's +word, -word,
     field:word, word*, word~N and word^N; what cannot be used is left out and said in
     `hints`, in plain words. */
  function parseQuery(text, fields) {
    var items = [];
    var hints = [];
    var rest = [];
    var last = 0;
    var found;
    QUOTED.lastIndex = 0;
    while ((found = QUOTED.exec(text))) {
      rest.push(text.slice(last, found.index));
      var words = found[2].replace(POSSESSIVES, "").split(/[\s\-]+/).map(cleanWord).filter(Boolean);
      var sign = found[1] === "-" ? presence.PROHIBITED : presence.REQUIRED;
      if (words.length) items.push({ phrase: words, presence: sign, fields: fields, boost: 1 });
      last = QUOTED.lastIndex;
    }
    var tail = text.slice(last);
    if (QUOTE.test(tail)) {
      hints.push("A quote mark was not closed, so the words after it were searched for one by one.");
    }
    rest.push(tail.replace(QUOTE, " "));
    rest.join(" ").split(/\s+/).forEach(function (chunk) {
      readChunk(chunk, fields, items, hints);
    });
    return { items: items, hints: hints };
  }

  function cleanWord(word) {
    var clean = word.toLowerCase().replace(WORD_EDGES, "");
    return HAS_WORD.test(clean) ? clean : "";
  }

  function readChunk(chunk, fields, items, hints) {
    if (!chunk) return;
    var sign = presence.OPTIONAL;
    var signs = /^[+-]+/.exec(chunk);
    if (signs) {
      sign = signs[0][0] === "+" ? presence.REQUIRED : presence.PROHIBITED;
      chunk = chunk.slice(signs[0].length);
    }
    var only = fields;
    var field = /^([^:]*):(.*)$/.exec(chunk);
    if (field) {
      var name = field[1].toLowerCase();
      if (fields.indexOf(name) !== -1) {
        only = [name];
        chunk = field[2];
        if (!cleanWord(chunk.replace(/[~^]\d*$/, ""))) {
          hints.push("\u201c" + field[1] + ":\u201d needs a word after it, as in " + name + ":election.");
        }
      } else if (name) {
        hints.push("There is no \u201c" + field[1] + ":\u201d to search in (there are " +
          fields.map(function (f) { return f + ":"; }).join(", ") + "), so \u201c" + chunk +
          "\u201d was searched as words.");
        chunk = field[1] + " " + field[2];
      } else {
        chunk = field[2];
      }
    }
    var boost = 1;
    var editDistance = 0;
    var suffix;
    while ((suffix = /(\^(\d*)|~(\d*))$/.exec(chunk))) {
      if (suffix[1][0] === "^") boost = Math.max(1, parseInt(suffix[2], 10) || 1);
      else editDistance = Math.min(2, parseInt(suffix[3], 10) || 1);
      chunk = chunk.slice(0, suffix.index);
    }
    chunk.replace(POSSESSIVES, "").split(/[\s\-~^:]+/).forEach(function (part) {
      var word = cleanWord(part);
      if (!word) {
        if (part) hints.push("\u201c" + part + "\u201d is not a word, so it was left out.");
        return;
      }
      var wildcard = word.indexOf("*") !== -1;
      items.push({ word: word, presence: sign, fields: only, boost: boost,
                   editDistance: wildcard ? 0 : editDistance, wildcard: wildcard });
    });
  }

  function ShardedIndex(manifest, fetchJson) {
    this.fields = manifest.fields;
    this.firsts = manifest.shards.first; // each shard's first term, in JavaScript order
    this.shardFolder = manifest.shards.folder;
    this.aids = manifest.aids || null; // {folder, pairs, words, names}: core/search_aids.py
    this.documents = manifest.documents;
    this.pipeline = lunr.Pipeline.load(manifest.pipeline);
    this.fetchJson = fetchJson; // path under the index folder -> Promise of the parsed file
    this.pending = Object.create(null);
    this.files = Object.create(null);
    this.invertedIndex = Object.create(null);
    this.fieldVectors = Object.create(null);
    this.index = null;
  }

  /* The index term of a word: what lunr's search pipeline (the stemmer) makes of it. */
  ShardedIndex.prototype.termOf = function (word) {
    return this.pipeline.runString(word)[0] || "";
  };

  /* lunr clauses for the parsed items: stop words out (the index has none), a phrase's
     words required (or, for -"a phrase", nothing: such stories are taken out after). */
  ShardedIndex.prototype.clausesFor = function (items) {
    var clauses = [];
    items.forEach(function (item) {
      if (item.phrase) {
        if (item.presence === presence.PROHIBITED) return;
        item.phrase.forEach(function (word) {
          if (lunr.stopWordFilter(word)) {
            clauses.push({ term: word, fields: item.fields, boost: 1, usePipeline: true,
                           presence: presence.REQUIRED });
          }
        });
      } else if (item.wildcard || lunr.stopWordFilter(item.word)) {
        var clause = { term: item.word, fields: item.fields, boost: item.boost,
                       usePipeline: !item.wildcard, presence: item.presence };
        // lunr reads a clause with an editDistance key, even 0, as fuzzy (no wildcards)
        if (item.editDistance) clause.editDistance = item.editDistance;
        clauses.push(clause);
      }
    });
    return clauses;
  };

  /* Numbers of the shards clauses can touch: the one that would hold each term, every one
     that can hold a word starting with a wildcard term's prefix, and all for a fuzzy term. */
  ShardedIndex.prototype.shardsFor = function (clauses) {
    var needed = Object.create(null);
    var self = this;
    clauses.forEach(function (clause) {
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
        for (var n = self.shardOf(low); n <= self.shardOf(high); n++) needed[n] = true;
      });
    });
    return Object.keys(needed).map(Number);
  };

  /* The shard whose terms run from its first to the next one's: the last whose first term
     is not after `term` (the first shard for a term before them all). */
  ShardedIndex.prototype.shardOf = function (term) {
    var low = 0;
    var high = this.firsts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (this.firsts[middle] <= term) low = middle;
      else high = middle - 1;
    }
    return low;
  };

  ShardedIndex.prototype.load = function (numbers) {
    var self = this;
    return Promise.all(
      numbers.map(function (number) {
        if (!self.pending[number]) {
          self.pending[number] = self.fetchJson(self.shardFolder + "/" + number + ".json").then(function (terms) {
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

  /* A file under the index folder, fetched once. */
  ShardedIndex.prototype.file = function (path) {
    var self = this;
    if (!this.files[path]) {
      this.files[path] = this.fetchJson(path);
      this.files[path].catch(function () {
        delete self.files[path];
      });
    }
    return this.files[path];
  };

  /* What an aid (pairs, words, names) holds for a key; undefined if nothing. */
  ShardedIndex.prototype.aid = function (part, key) {
    if (!this.aids || !this.aids[part]) return Promise.resolve(undefined);
    var path = this.aids.folder + "/" + part + "/" + bucketOf(key, this.aids[part]) + ".json";
    return this.file(path).then(function (bucket) {
      return Object.prototype.hasOwnProperty.call(bucket, key) ? bucket[key] : undefined;
    });
  };

  /* FNV-1a over UTF-16 code units, as core/search_aids.buckets_of. */
  function bucketOf(key, buckets) {
    var value = 0x811c9dc5;
    for (var i = 0; i < key.length; i++) {
      value = Math.imul((value ^ key.charCodeAt(i)) >>> 0, 0x01000193) >>> 0;
    }
    return value % buckets;
  }

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

  /* How many documents hold a (loaded) term in any field. */
  ShardedIndex.prototype.documentsWith = function (term) {
    var posting = this.invertedIndex[term];
    if (!posting) return 0;
    var refs = Object.create(null);
    this.fields.forEach(function (field) {
      Object.keys(posting[field] || {}).forEach(function (ref) {
        refs[ref] = true;
      });
    });
    return Object.keys(refs).length;
  };

  function decode(deltas) {
    var numbers = new Set();
    var number = 0;
    for (var i = 0; i < deltas.length; i++) {
      number += deltas[i];
      numbers.add(number.toString(36));
    }
    return numbers;
  }

  /* The refs of the documents holding the phrase's words side by side (each pair of
     neighbouring words adjacent, stop words not counted, as in the index). */
  ShardedIndex.prototype.phraseDocuments = function (words) {
    var self = this;
    var terms = words.filter(function (w) { return lunr.stopWordFilter(w); }).map(function (w) {
      return self.termOf(w);
    });
    if (terms.length < 2) return Promise.resolve(null); // one word: its clause is enough
    var pairs = [];
    for (var i = 0; i + 1 < terms.length; i++) pairs.push(terms[i] + " " + terms[i + 1]);
    return Promise.all(pairs.map(function (pair) {
      return self.aid("pairs", pair);
    })).then(function (lists) {
      var sets = lists.map(function (list) { return decode(list || []); });
      return sets.reduce(function (all, set) {
        return new Set(Array.from(all).filter(function (ref) { return set.has(ref); }));
      });
    });
  };

  /* lunr's results for clauses (shards loaded), keeping to the phrases. */
  ShardedIndex.prototype.resultsFor = function (clauses, phrases) {
    if (!clauses.some(function (c) { return c.presence !== presence.PROHIBITED; })) return [];
    var found = this.lunrIndex().query(function (query) {
      clauses.forEach(function (clause) {
        query.clause(Object.assign({}, clause));
      });
    });
    return found.filter(function (result) {
      return phrases.every(function (phrase) {
        if (!phrase.refs) return true;
        var has = phrase.refs.has(result.ref);
        return phrase.presence === presence.PROHIBITED ? !has : has;
      });
    });
  };

  /* Everything a query needs fetched: its shards, its phrases' pairs. */
  ShardedIndex.prototype.prepare = function (text) {
    var parsed = parseQuery(text, this.fields);
    var clauses = this.clausesFor(parsed.items);
    var self = this;
    var phrases = parsed.items.filter(function (item) { return item.phrase; });
    return Promise.all([
      this.load(this.shardsFor(clauses)),
      Promise.all(phrases.map(function (item) {
        return self.phraseDocuments(item.phrase).then(function (refs) {
          return { refs: refs, presence: item.presence };
        });
      })),
    ]).then(function (loaded) {
      return { parsed: parsed, clauses: clauses, phrases: loaded[1] };
    });
  };

  /* lunr's results for the query, after fetching the shards it needs; phrases kept to.
     A query that only excludes words is refused: it would need every document. */
  ShardedIndex.prototype.search = function (text) {
    var self = this;
    return this.prepare(text).then(function (prepared) {
      var problem = queryProblem(prepared);
      if (problem) throw new lunr.QueryParseError(problem, 0, 0);
      return self.resultsFor(prepared.clauses, prepared.phrases);
    });
  };

  function queryProblem(prepared) {
    var items = prepared.parsed.items;
    if (items.length === 0) {
      return prepared.parsed.hints.length ? prepared.parsed.hints.join(" ") : "Type a word, a name or a place.";
    }
    var positive = items.some(function (item) { return item.presence !== presence.PROHIBITED; });
    return positive ? null : "Say what to look for as well as what to leave out.";
  }

  /* What the search page shows for a query: {results (exact matches), similar (stories
     found only through a word like a mistyped one, after them), similarWords, suggestion
     (the query with those words, when it finds clearly more), entities (whose name the
     query is), hints, problem}. */
  ShardedIndex.prototype.find = function (text) {
    var self = this;
    return this.prepare(text).then(function (prepared) {
      var answer = { results: [], similar: [], similarWords: [], suggestion: null, entities: [],
                     hints: prepared.parsed.hints, problem: queryProblem(prepared) };
      if (answer.problem) return answer;
      answer.results = self.resultsFor(prepared.clauses, prepared.phrases);
      return self.similarWords(prepared.parsed.items).then(function (similar) {
        var corrected = correctedItems(prepared.parsed.items, similar);
        var extra = [];
        similar.forEach(function (s) {
          s.candidates.forEach(function (c) {
            extra.push({ term: c.term, fields: s.item.fields, boost: s.item.boost, usePipeline: false,
                         presence: presence.OPTIONAL });
          });
        });
        var lookups = [self.entitiesNamed(prepared.parsed.items)];
        if (extra.length) {
          lookups.push(self.load(self.shardsFor(extra)).then(function () {
            var weakened = prepared.clauses.map(function (clause) {
              var weak = similar.some(function (s) { return s.item.word === clause.term; });
              return weak ? Object.assign({}, clause, { presence: presence.OPTIONAL }) : clause;
            });
            var exact = new Set(answer.results.map(function (r) { return r.ref; }));
            answer.similar = self.resultsFor(weakened.concat(extra), prepared.phrases).filter(function (r) {
              return !exact.has(r.ref);
            });
            answer.similarWords = similar.map(function (s) { return s.candidates[0].shown; });
            var fixed = self.resultsFor(self.clausesFor(corrected), prepared.phrases).length;
            var found = answer.results.length;
            if (fixed >= Math.max(2 * found, found + 3)) {
              answer.suggestion = suggestedText(text, similar);
              if (!found) return self.entitiesNamed(corrected);
            }
            return null;
          }));
        }
        return Promise.all(lookups).then(function (cards) {
          answer.entities = cards[0].length ? cards[0] : cards[1] || [];
          return answer;
        });
      });
    });
  };

  /* For each plain word found in fewer than TYPO_FEW documents: the archive's words within
     1 edit (2 for words of 8 letters or more) found in more, most documents first. */
  ShardedIndex.prototype.similarWords = function (items) {
    var self = this;
    var weak = items.filter(function (item) {
      return item.word && !item.wildcard && !item.editDistance && item.presence !== presence.PROHIBITED &&
        LETTERS.test(item.word) && Array.from(item.word).length >= 4 &&
        lunr.stopWordFilter(item.word) && self.documentsWith(self.termOf(item.word)) < TYPO_FEW;
    });
    return Promise.all(weak.map(function (item) {
      var letters = Array.from(item.word);
      var limit = letters.length >= 8 ? 2 : 1;
      var keys = [];
      for (var length = letters.length - limit; length <= letters.length + limit; length++) {
        keys.push(letters[0] + length);
      }
      var own = self.documentsWith(self.termOf(item.word));
      return Promise.all(keys.map(function (key) { return self.aid("words", key); })).then(function (groups) {
        var candidates = [];
        groups.forEach(function (group) {
          (group || []).forEach(function (entry) {
            var word = entry[0].toLowerCase();
            var term = entry[1] || word;
            if (entry[2] <= own || term === self.termOf(item.word)) return;
            var distance = editDistance(item.word, word, limit);
            if (distance <= limit) candidates.push({ shown: entry[0], term: term, documents: entry[2], distance: distance });
          });
        });
        candidates.sort(function (a, b) { return a.distance - b.distance || b.documents - a.documents; });
        // The best one, and others only where no further shard is needed to search them.
        var best = candidates[0] && self.shardOf(candidates[0].term);
        var free = candidates.slice(1, TYPO_CANDIDATES).filter(function (c) {
          var shard = self.shardOf(c.term);
          return shard === best || self.pending[shard];
        });
        return { item: item, candidates: candidates.slice(0, 1).concat(free) };
      });
    })).then(function (all) {
      return all.filter(function (s) { return s.candidates.length; });
    });
  };

  function correctedItems(items, similar) {
    return items.map(function (item) {
      var s = similar.filter(function (x) { return x.item === item; })[0];
      return s ? Object.assign({}, item, { word: s.candidates[0].shown.toLowerCase() }) : item;
    });
  }

  function suggestedText(text, similar) {
    similar.forEach(function (s) {
      var escaped = s.item.word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      text = text.replace(new RegExp(escaped, "iu"), s.candidates[0].shown);
    });
    return text;
  }

  /* Optimal string alignment distance (a swap of two letters is one edit), or limit + 1
     as soon as it is over the limit. */
  function editDistance(a, b, limit) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = null;
    var previous = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      var row = [i];
      var best = i;
      for (var k = 1; k <= b.length; k++) {
        var cost = a[i - 1] === b[k - 1] ? 0 : 1;
        var value = Math.min(previous[k] + 1, row[k - 1] + 1, previous[k - 1] + cost);
        if (previous2 && i > 1 && k > 1 && a[i - 1] === b[k - 2] && a[i - 2] === b[k - 1]) {
          value = Math.min(value, previous2[k - 2] + 1);
        }
        row.push(value);
        best = Math.min(best, value);
      }
      if (best > limit) return limit + 1;
      previous2 = previous;
      previous = row;
    }
    return previous[b.length];
  }

  /* The entities one of whose spellings is the whole query (its words, in order). */
  ShardedIndex.prototype.entitiesNamed = function (items) {
    var self = this;
    var words = [];
    items.forEach(function (item) {
      if (item.presence === presence.PROHIBITED || item.wildcard) return;
      (item.phrase || [item.word]).forEach(function (word) {
        if (lunr.stopWordFilter(word)) words.push(self.termOf(word));
      });
    });
    if (!words.length || words.length > MAX_ENTITY_WORDS) return Promise.resolve([]);
    return this.aid("names", words.join(" ")).then(function (cards) {
      return (cards || []).map(function (c) {
        return { id: c[0], name: c[1], kind: c[2], stories: c[3], url: c[4] };
      });
    });
  };

  /* A facet's column: {values, docs: per document 1 + its value's position, or 0}, from
     the file's runs of documents with one value (pairs: 1 + position, length). */
  ShardedIndex.prototype.facet = function (name) {
    if (!this.aids || (this.aids.facets || []).indexOf(name) === -1) return Promise.resolve(null);
    return this.file(this.aids.folder + "/facets/" + name + ".json").then(function (column) {
      var docs = [];
      for (var i = 0; i + 1 < column.runs.length; i += 2) {
        for (var n = 0; n < column.runs[i + 1]; n++) docs.push(column.runs[i]);
      }
      return { values: column.values, docs: docs };
    });
  };

  /* {name, kind, refs: Set} of an entity's documents. */
  ShardedIndex.prototype.entityDocuments = function (id) {
    if (!this.aids || !/^[A-Za-z0-9_-]+$/.test(id)) return Promise.resolve(null);
    return this.file(this.aids.folder + "/entities/" + id + ".json").then(function (entity) {
      return { id: id, name: entity.name, kind: entity.kind, refs: decode(entity.docs) };
    }, function () {
      return null;
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
    parseQuery: parseQuery,
    bucketOf: bucketOf,
    editDistance: editDistance,
    highlightStems: highlightStems,
    marked: marked,
    snippet: snippet,
    stemOf: stemOf,
  };
});
