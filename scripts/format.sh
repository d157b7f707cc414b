#!/usr/bin/env bash
# Formats every C++ source of the project with clang-format (.clang-format at the root).
#   scripts/format.sh          rewrite the files
#   scripts/format.sh --check  list the files that need formatting; exit 1 if any
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' '*.ipp' | grep -v '^emulator/')
if [[ ${1:-} == --check ]]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
      echo "needs formatting: $f" >&2
      bad=1
    fi
  done
  exit $bad
fi
clang-format -i "${files[@]}"
