// Prints, for each [key, buckets] of the JSON list on stdin, the page's bucketOf, as JSON.
const lunr = require("lunr");
const NewsSearch = require("../../theme/static/js/search-core.js")(lunr);
const keys = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(keys.map(([key, buckets]) => NewsSearch.bucketOf(key, buckets))));
