#!/usr/bin/env bash
# The main job: sets up, builds, starts a local SQS server and makes a round trip through it
# with sqsctl (create a queue, send, receive and delete).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build -j2 --target sqsctl

export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-demo} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-demo}
export AWS_REGION=${AWS_REGION:-eu-west-1}
out=$(mktemp)
emulator/node_modules/.bin/node --no-warnings emulator/start.mjs --region "$AWS_REGION" >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q port "$out" && break; sleep 0.1; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out")
sqsctl() { build/bin/sqsctl --endpoint "http://127.0.0.1:$port" "$@"; }

echo "local SQS server on 127.0.0.1:$port (region $AWS_REGION)"
url=$(sqsctl create-queue demo)
echo "created $url"
sqsctl send demo --body "hello from aws-cpp-sqs" --attribute origin=String:demo
sqsctl receive demo --wait-seconds 1 --attribute-names All --message-attribute-names All --delete
echo "round trip OK"
