#!/usr/bin/env bash
# C# execution benchmarks. Usage: bench/csharp/run.sh samples [--workers N] [--naive N]
#                                 bench/csharp/run.sh knobs [--rounds N]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CODEXSHARP_ARTIFACTS="${CODEXSHARP_ARTIFACTS:-$here/../../artifacts}"
dotnet build "$here/CSharpBenchmark.csproj" -c Release -nologo -v:q -clp:NoSummary >&2
exec dotnet "$CODEXSHARP_ARTIFACTS/bin/CSharpBenchmark/release_linux-x64/CSharpBenchmark.dll" "$@"
