#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make image`: builds the sandbox image offline.
#   IMAGE   tag to build (default containai:latest)
#   AGENTS  space-separated npm packages to add, e.g. "@anthropic-ai/claude-code"
# Starts a Docker engine when none answers and leaves it running for the
# image's use.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CAI_ROOT=$PWD CAI_BUILD=$PWD/build
# shellcheck source=tests/e2e/engine.sh
. tests/e2e/engine.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

IMAGE=${IMAGE:-containai:latest}
AGENTS=${AGENTS:-}

engine_up
stage_agents "$CAI_BUILD/agents" "$AGENTS"
build_sandbox_image "$IMAGE" --build-arg AGENTS="$AGENTS"
echo "image: built $IMAGE${AGENTS:+ with $AGENTS}"
