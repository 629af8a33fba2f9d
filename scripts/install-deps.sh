#!/usr/bin/env bash
# Installs what Slate needs on Debian, Ubuntu or Raspberry Pi OS: OpenBLAS, Open MPI (library,
# headers and mpirun, for SlateDistributed) and pkg-config.
# Uses apt directly as root, through sudo otherwise; without either it prints the command to run.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "error: Swift is not installed. Install Swift 6.0 or newer (https://www.swift.org/install/) and run this again." >&2
  exit 1
fi

have() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas ompi-c && command -v mpirun >/dev/null 2>&1; }
if have; then
  exit 0
fi

packages="libopenblas-dev libopenmpi-dev openmpi-bin pkg-config"
if [[ "$(uname)" == "Darwin" ]]; then
  command -v mpirun >/dev/null 2>&1 && { echo "macOS: Slate uses Accelerate; Open MPI is installed." ; exit 0; }
  echo "error: Open MPI is missing. Install it with:  brew install open-mpi pkg-config" >&2; exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: OpenBLAS or Open MPI is missing and this is not a Debian-like system. Install OpenBLAS, Open MPI 4.1 (with mpirun) and pkg-config ('openblas.pc' and 'ompi-c.pc' must be found by pkg-config)." >&2
  exit 1
fi
if [[ $(id -u) -eq 0 ]]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "error: OpenBLAS or Open MPI is missing. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $packages" >&2
  exit 1
fi
echo "Installing $packages with apt ..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages
have || { echo "error: pkg-config still cannot find openblas and ompi-c (or mpirun is missing) after installing $packages." >&2; exit 1; }
