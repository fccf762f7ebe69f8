#!/bin/sh
# Builds anim/write/web/three.min.js, the cut-down three.js the explorable page (explore.html) carries:
# the names web/entry.js exports and what they need, minified by esbuild into one IIFE (global THREE).
# Run it once after changing entry.js or the versions in package.json (needs node and npm); the
# built file is committed, so users and CI never need node. Its first comment names what built it:
# tests/write/test_explore.py checks that against package-lock.json and entry.js.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
out=../anim/write/web
npx --no-install esbuild entry.js --bundle --minify --format=iife --global-name=THREE --legal-comments=none \
    --target=es2020 --log-level=warning --outfile="$out/three.body.js"
node -e '
const fs = require("fs"), crypto = require("crypto");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
const pkg = name => lock["node_modules/" + name];
const entry = crypto.createHash("sha256").update(fs.readFileSync("entry.js")).digest("hex");
const header = "/*! three.js " + pkg("three").version + " (MIT licence: THREE-LICENSE beside this file), cut to web/entry.js\n" +
  " * built by web/build.sh with esbuild " + pkg("esbuild").version + " from web/package-lock.json:\n" +
  " * three " + pkg("three").integrity + "\n" +
  " * esbuild " + pkg("esbuild").integrity + "\n" +
  " * entry.js sha256 " + entry + " */\n";
fs.writeFileSync(process.argv[1] + "/three.min.js", header + fs.readFileSync(process.argv[1] + "/three.body.js", "utf8"));
fs.unlinkSync(process.argv[1] + "/three.body.js");
' "$out"
cp node_modules/three/LICENSE "$out/THREE-LICENSE"
echo "wrote $out/three.min.js ($(wc -c < "$out/three.min.js") bytes)"
