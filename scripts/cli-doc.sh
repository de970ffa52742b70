#!/usr/bin/env bash
# Writes docs/cli.md, the command-line reference, from the parser's help of every command
# (test/cli_help.test.ts fails when it is out of date). usage: scripts/cli-doc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
node --import tsx --input-type=module -e "const m = await import('./ts/cli/reference.ts'); process.stdout.write(m.cliReference());" > docs/cli.md.tmp
mv docs/cli.md.tmp docs/cli.md
