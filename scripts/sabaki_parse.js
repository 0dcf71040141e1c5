// One SGF file parsed by Sabaki's own parser (@sabaki/sgf): what Sabaki would open.
// Run through scripts/check_sabaki.sh, which installs the parser.
const sgf = require('@sabaki/sgf');
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
const roots = sgf.parse(text);
let nodes = 0, comments = 0, variations = 0, marks = 0;
function walk(node) {
  nodes++;
  if (node.data.C) comments++;
  if (node.data.BM || node.data.DO || node.data.TE || node.data.IT) marks++;
  if (node.children.length > 1) variations += node.children.length - 1;
  node.children.forEach(walk);
}
roots.forEach(walk);
let main = 0; for (let n = roots[0]; n; n = n.children[0]) main++;
console.log(JSON.stringify({roots: roots.length, nodes, main_line: main, comments, variations, marks,
  size: roots[0].data.SZ, first_comment: (roots[0].children[0].data.C || [''])[0].slice(0, 80)}));
