#!/usr/bin/env bash
# The decode measurements of docs/results/decode (run from that folder): 2 cores, each row its best over 2 sweeps.
set -e
J=${ATTN4J_JAR:-../../../attn4j}
out=${1:-.}
$J decode --heads 8 --kv-heads 2 --dim 64 --runs 2 \
    --mask dense window:1024,16 blocktopk:8,64 blocktopk:10%,64 blocktopk:10%,64,group tokentopk:64 \
    --json $out/decode-gqa.json --png $out/decode-gqa.png
$J decode --heads 8 --kv-heads 8 --dim 64 --runs 2 --json $out/decode-mha.json --png $out/decode-mha.png
$J generate --tokens 8192 --json $out/generate.json
