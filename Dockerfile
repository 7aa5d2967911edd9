# SPDX-License-Identifier: MIT
# The ContainAI sandbox image.
#
#   make image                       containai:latest, offline, no agent CLI
#   make image AGENTS="PKG ..."      with npm agent CLIs staged on the host
#   docker build --target minimal .  the init alone on a plain Debian base
#
# Nothing here reaches a registry: the base images are local (made with
# mmdebstrap by `make image` when missing) and agent CLIs are installed by
# the host into build/agents, which this file only copies.  Plain Dockerfile
# syntax: the classic builder builds it as well as BuildKit.

# --- builder: the static init, built the same way `make` builds it -------
FROM debian:bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	gcc make libc6-dev libseccomp-dev libcap-dev libinih-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION ./
COPY lib/ lib/
COPY entrypoint/ entrypoint/
RUN make build/containai-init

# --- minimal: how an image author adds the init to an image of their own --
# No config file: containai-init runs as a plain init (reaping, signal
# forwarding, graceful shutdown).  See docs/image-authors.md.
FROM debian:bookworm-slim AS minimal
COPY --from=builder /src/build/containai-init /usr/sbin/containai-init
ENTRYPOINT ["/usr/sbin/containai-init", "--"]
CMD ["/bin/sh"]

# --- the sandbox image (default target) -----------------------------------
FROM debian:bookworm-slim AS sandbox
# Space-separated npm package names, staged on the host (see tests/e2e/image.sh);
# Debian's nodejs is installed only when there are any.
ARG AGENTS=""
ARG AGENT_STAGING=build/agents
LABEL org.containai.agents="${AGENTS}"
RUN if [ -n "$AGENTS" ]; then \
	apt-get update \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs ca-certificates \
	&& rm -rf /var/lib/apt/lists/*; \
    fi
# The agent's account.  No sudo, and no set-id program left to regain
# privilege through (no_new_privs neutralises them too; this is the second lock).
RUN groupadd --gid 1000 agent \
 && useradd --uid 1000 --gid 1000 --home-dir /home/agent --create-home --shell /bin/bash agent \
 && mkdir -p /mnt/agent-data /etc/containai \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} + \
 && ! command -v sudo
COPY --from=builder /src/build/containai-init /usr/sbin/containai-init
# Whatever policy/ holds: init.ini, volume.ini, seccomp.policy.
COPY policy/ /etc/containai/
COPY ${AGENT_STAGING}/ /opt/containai/agents/
ENV PATH=/opt/containai/agents/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# A bad config, manifest or seccomp policy fails the build here, not at the
# first start of a sandbox.
RUN ["/usr/sbin/containai-init", "--check", "-c", "/etc/containai/init.ini"]
# The filter compiled once here, not at every start (used only while it
# matches the policy text exactly).
RUN ["/usr/sbin/containai-init", "--compile-policy", "-c", "/etc/containai/init.ini"]
WORKDIR /home/agent
ENTRYPOINT ["/usr/sbin/containai-init", "-c", "/etc/containai/init.ini", "--"]
CMD ["/bin/bash"]
