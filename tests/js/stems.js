// Prints lunr.js's stem of each line of stdin, one per line.
const lunr = require("lunr");
const words = require("fs").readFileSync(0, "utf8").split("\n");
process.stdout.write(words.map((w) => lunr.stemmer(new lunr.Token(w)).toString()).join("\n"));
