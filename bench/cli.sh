# Sourced by the shell benchmarks after they read their arguments, with the data set folder they need as $1:
# sets root (the repository), data (the shared data sets), cli (a Release build of codexsharp.dll, built now)
# and work (a temporary folder removed on exit).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${CODEXSHARP_SHARED_DATASETS:-$root/../shared/datasets}"
[[ -d "$data/$1" ]] || data="$root/../../shared/datasets"  # from a worktree beside the repository
export CODEXSHARP_ARTIFACTS="${CODEXSHARP_ARTIFACTS:-$root/artifacts}"
dotnet build "$root/src/CodexSharp.Cli/CodexSharp.Cli.csproj" -c Release -nologo -v:q -clp:NoSummary >&2
cli="$CODEXSHARP_ARTIFACTS/bin/CodexSharp.Cli/release_linux-x64/codexsharp.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
