#!/usr/bin/env bash
# Execution benchmarks. Usage: bench/execution/run.sh canonical [--workers 1,2] [--repeat R]
#                              bench/execution/run.sh samples [--workers N] [--reference FILE] [--output FILE]
#                              bench/execution/run.sh apps [--workers N] [--repeat R]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CODEXSHARP_ARTIFACTS="${CODEXSHARP_ARTIFACTS:-$here/../../artifacts}"
dotnet build "$here/ExecutionBenchmark.csproj" -c Release -nologo -v:q -clp:NoSummary >&2
# The command line too: the canonical mode also times `evaluate` end to end.
dotnet build "$here/../../src/CodexSharp.Cli/CodexSharp.Cli.csproj" -c Release -nologo -v:q -clp:NoSummary >&2
exec dotnet "$CODEXSHARP_ARTIFACTS/bin/ExecutionBenchmark/release_linux-x64/ExecutionBenchmark.dll" "$@" \
  --cli "$CODEXSHARP_ARTIFACTS/bin/CodexSharp.Cli/release_linux-x64/codexsharp.dll"
