// For each query: the scores of a whole lunr index and of the sharded index built from the
// same documents, as JSON {query: {whole: {ref: score}, sharded: {ref: score}, shards: n}}.
// Usage: node compare_scores.js WHOLE_INDEX.json SHARD_FOLDER QUERIES.json
const fs = require("fs");
const path = require("path");
const lunr = require("lunr");
const NewsSearch = require("../../theme/static/js/search-core.js")(lunr);

const [wholePath, folder, queriesPath] = process.argv.slice(2);
const whole = lunr.Index.load(JSON.parse(fs.readFileSync(wholePath, "utf8")));
const manifest = JSON.parse(fs.readFileSync(path.join(folder, "manifest.json"), "utf8"));
const queries = JSON.parse(fs.readFileSync(queriesPath, "utf8"));

function scores(results) {
  const byRef = {};
  for (const r of results) byRef[r.ref] = r.score;
  return byRef;
}

(async () => {
  const out = {};
  for (const query of queries) {
    let fetched = 0;
    const sharded = new NewsSearch.ShardedIndex(manifest, async (file) => {
      fetched += 1;
      return JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
    });
    out[query] = {
      whole: scores(whole.search(query)),
      sharded: scores(await sharded.search(query)),
      shards: fetched,
    };
  }
  process.stdout.write(JSON.stringify(out));
})();
