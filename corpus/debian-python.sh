#!/usr/bin/env bash
# A real Python training corpus that any Debian 12 machine can get: the .py files of Debian packages (the
# standard library and large, well-kept libraries), downloaded with apt-get and read straight from the .deb
# files by `codexsharp corpus build` (nothing is installed or extracted). About 124 MB of Python source.
#
#   corpus/debian-python.sh [--out DIR] [--cache DIR] [--allow-newer] [-- EXTRA corpus build FLAGS]
#
#   --out DIR       the corpus folder (default: corpus-data/debian beside the repository's parent's working dir)
#   --cache DIR     where the .deb files are kept (default: ~/.cache/codexsharp/debian-corpus)
#   --allow-newer   when a pinned version has left the archive, take apt's candidate instead (the SHA-256 pins
#                   then no longer apply; the corpus manifest still records every package's SHA-256)
#
# Decontamination: without --benchmark/--no-decontaminate among the extra flags, the benchmark files
# (HumanEval, HumanEval+, MBPP, MBPP+) under $CODEXSHARP_BENCHMARK_DIR (default: ../shared/datasets beside the
# repository) are used when present, else corpus build's default (the catalog's data sets in the dataset cache).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/../corpus-data/debian"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/codexsharp/debian-corpus"
allow_newer=0
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --allow-newer) allow_newer=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "error: unknown argument '$1' (see the top of $0)" >&2; exit 2 ;;
  esac
done

# Debian 12 (bookworm) packages: name, version, SHA-256 of the .deb as the archive serves it.
packages=(
  "libpython3.11-minimal 3.11.2-6+deb12u9 69f41cfa3f4ba17284e538f843069d7529c53c207d2ae17a5b02785944870e33"
  "libpython3.11-stdlib 3.11.2-6+deb12u9 10f13e000ee757f5f2d2d3569f9e30546214a0c850acd78695feae373bfa3e53"
  "python3-django 3:3.2.25-0+deb12u7 9ad8ed29d9026207970777e194f658c39b3a7a96a932967f043503fc25bdc319"
  "python3-sympy 1.11.1-1 b437232be31819aafd267ddf2132c16293ef75e02fd58b4ad31eee3ef1d5b49e"
  "python3-numpy 1:1.24.2-1+deb12u1 64c6e18bd85f881328d70071154c2d8b93fd6de2e07855f81fad5e499694ac03"
  "python3-scipy 1.10.1-2 75175eb18aa9ef6424c69050a751335fe686c24b65bc1773d0769a74a21c869d"
  "python3-pandas 1.5.3+dfsg-2 4c530b36c107dcfdcbf2a2bef4008a4667b1833084259c0c40ef7d26b7fec0a5"
  "python3-networkx 2.8.8-1 69888603d1b54696f5c3d02d05527628d2d18661d845109a62fe24aff241aa7b"
  "python3-twisted 22.4.0-4+deb12u1 d8194df7c9b8a524ce7d350fcb4c6a734410a2c701f2bfa8c0d3f01864f51f6a"
  "python3-matplotlib 3.6.3-1+b1 9fff6d846b94ddf454f9757efbbc943220686e1347f8ae605fcf86af087bf525"
  "python3-sklearn 1.2.1+dfsg-1 ca0c6be401d14871c7e93cfdd8d1f561595dc65e6e2ad2501d568aee7f7efc58"
  "python3-botocore 1.29.27+repack-1 72802baa29e20716e3a591b39b03dea0ab24ad9d938f7498a04c365d3803c1b7"
)

command -v apt-get >/dev/null || { echo "error: apt-get not found; this recipe needs Debian 12 (bookworm) package sources" >&2; exit 1; }
mkdir -p "$cache"
cd "$cache"
debs=()
for entry in "${packages[@]}"; do
  read -r name version sha <<<"$entry"
  file="$(ls "${name}_"*.deb 2>/dev/null | head -n1 || true)"
  if [[ -n "$file" ]] && echo "$sha  $file" | sha256sum -c --status; then
    debs+=("$cache/$file"); continue
  fi
  # apt-get download checks the file against the hashes of the signed package index.
  if ! apt-get download -q "$name=$version" 2>/dev/null; then
    candidate="$(apt-cache policy "$name" | awk '/Candidate:/ {print $2}')"
    if [[ $allow_newer -eq 0 ]]; then
      echo "error: $name $version is not in the package index (apt's candidate is '${candidate:-none}'); run 'apt-get update', or pass --allow-newer to take the candidate" >&2
      exit 1
    fi
    echo "note: $name $version has left the archive; taking $candidate" >&2
    apt-get download -q "$name=$candidate"
    file="$(ls -t "${name}_"*.deb | head -n1)"
  else
    file="$(ls -t "${name}_"*.deb | head -n1)"
    if ! echo "$sha  $file" | sha256sum -c --status; then
      echo "error: $file: its SHA-256 is not the pinned $sha" >&2
      exit 1
    fi
  fi
  debs+=("$cache/$file")
done
echo "packages: ${#debs[@]} in $cache ($(du -ch "${debs[@]}" | tail -n1 | cut -f1) of .deb files)" >&2

flags=()
if [[ ! " ${extra[*]:-} " =~ " --benchmark " && ! " ${extra[*]:-} " =~ " --no-decontaminate " ]]; then
  shared="${CODEXSHARP_BENCHMARK_DIR:-$root/../shared/datasets}"
  for f in humaneval/HumanEval.jsonl.gz humanevalplus/HumanEvalPlus.jsonl.gz mbpp/mbpp.jsonl.gz mbppplus/MbppPlus.jsonl.gz; do
    [[ -f "$shared/$f" ]] && flags+=(--benchmark "$shared/$f")
  done
fi
exec "$root/codexsharp" corpus build "${debs[@]}" --out "$out" "${flags[@]}" "${extra[@]}"
