#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make image`: builds the sandbox image offline.
#   IMAGE   tag to build (default containai:latest)
#   EGRESS_IMAGE  the egress proxy's tag (default containai-egress:latest)
#   AGENTS  the agents to put in (agents/agents.list): unset means all of
#           them; "none" or empty, none and no Node; else names, e.g.
#           AGENTS="claude codex"
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
AGENTS=${AGENTS-all}

engine_up
build_sandbox_image "$IMAGE" "${AGENTS:-none}"
build_egress_image "${EGRESS_IMAGE:-containai-egress:latest}"
echo "image: built ${EGRESS_IMAGE:-containai-egress:latest} (the egress proxy)"
label=$(docker image inspect -f '{{index .Config.Labels "org.containai.agents"}}' "$IMAGE")
echo "image: built $IMAGE with ${label:-no agent}"
