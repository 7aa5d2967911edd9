# SPDX-License-Identifier: MIT
# The ContainAI sandbox image.
#
#   make image                        containai:latest: Claude Code, Codex,
#                                     Gemini CLI, Copilot CLI, OpenCode, and
#                                     Node 22 to run them
#   make image AGENTS="claude codex"  only the agents named (and Node)
#   make image AGENTS=none            no agent and no Node (AGENTS= too)
#   docker build --target minimal .   the init alone on a plain Debian base
# Every variant has the tools agents call: git, ripgrep, curl, python3, gcc,
# make, less, procps.
#
# Nothing here reaches a registry: the base images are local (made with
# mmdebstrap by `make image` when missing), Debian packages come from the
# machine's apt sources, and the agent CLIs are installed on the host, at the
# versions agents/package-lock.json pins (`make agents-lock` moves them),
# into build/agents, which this file only copies.  A build by hand needs
# that directory: `bash agents/agents.sh stage build/agents all` (or `none`).
# Plain Dockerfile syntax: the classic builder builds it as well as BuildKit.

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

# --- egress: the per-sandbox egress proxy (containai-egress:latest) --------
# Debian's squid under containai-init, run by the launcher as the proxy user
# with no capability and a read-only root.  Its configuration, credentials
# included, arrives later through `docker exec -i` into a tmpfs
# (egress/load.sh); nothing of it is in the image.  `squid-openssl`, not
# `squid`: Debian's GnuTLS build fails TLS 1.3 upstreams after the handshake,
# and a credential's upstream (cache_peer ... tls) must be verified and
# reached over TLS.  No SSL bumping.  See docs/egress.md.
FROM debian:bookworm-slim AS egress
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	ca-certificates socat squid-openssl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/share/containai-egress/errors \
 && cp /usr/share/squid/errors/templates/* /usr/share/containai-egress/errors/ \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} +
COPY egress/errors/ /usr/share/containai-egress/errors/
COPY egress/entry.sh /usr/lib/containai/egress-entry
COPY egress/load.sh /usr/lib/containai/egress-load
COPY --from=builder /src/build/containai-init /usr/sbin/containai-init
USER proxy
ENTRYPOINT ["/usr/sbin/containai-init", "--", "/usr/lib/containai/egress-entry"]

# --- minimal: how an image author adds the init to an image of their own --
# No config file: containai-init runs as a plain init (reaping, signal
# forwarding, graceful shutdown).  See docs/image-authors.md.
FROM debian:bookworm-slim AS minimal
COPY --from=builder /src/build/containai-init /usr/sbin/containai-init
ENTRYPOINT ["/usr/sbin/containai-init", "--"]
CMD ["/bin/sh"]

# --- the sandbox image (default target) -----------------------------------
FROM debian:bookworm-slim AS sandbox
# The tools agents call, from Debian.  libstdc++6 is Node's one library
# beyond libc.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	ca-certificates curl gcc git less libc6-dev libstdc++6 make procps python3 ripgrep \
 && rm -rf /var/lib/apt/lists/*
# The agent's account.  No sudo, and no set-id program left to regain
# privilege through (no_new_privs neutralises them too; this is the second lock).
RUN groupadd --gid 1000 agent \
 && useradd --uid 1000 --gid 1000 --home-dir /home/agent --create-home --shell /bin/bash agent \
 && mkdir -p /mnt/agent-data /etc/containai \
 && chown 1000:1000 /mnt/agent-data \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} + \
 && ! command -v sudo
# The agent CLIs and Node, staged on the host by agents/agents.sh: an
# overlay of /opt/containai/agents (the npm packages, root's, read-only to
# the agent, no set-id bit) and /usr/local/bin links to their commands.
# Empty for AGENTS=none.  Before the init and the policy, so that changing
# those does not copy the agents again.
ARG AGENT_STAGING=build/agents
COPY ${AGENT_STAGING}/ /
# The image is the unit of update: the agents do not replace themselves
# (their files are not the agent's to write anyway).
ENV DISABLE_AUTOUPDATER=1 \
    COPILOT_AUTO_UPDATE=false \
    OPENCODE_DISABLE_AUTOUPDATE=1
# The agent's git identity lives in the data volume (`containai import`
# writes it there), not in a home directory that every new sandbox loses.
ENV GIT_CONFIG_GLOBAL=/mnt/agent-data/git/config
COPY --from=builder /src/build/containai-init /usr/sbin/containai-init
# Whatever policy/ holds: init.ini, volume.ini, seccomp.policy.
COPY policy/ /etc/containai/
# A bad config, manifest or seccomp policy fails the build here, not at the
# first start of a sandbox.
RUN ["/usr/sbin/containai-init", "--check", "-c", "/etc/containai/init.ini"]
# The filter compiled once here, not at every start (used only while it
# matches the policy text exactly).
RUN ["/usr/sbin/containai-init", "--compile-policy", "-c", "/etc/containai/init.ini"]
# What the overlay holds, "NAME@VERSION ..." (from its VERSIONS file).
ARG AGENTS=""
LABEL org.containai.agents="${AGENTS}"
WORKDIR /home/agent
ENTRYPOINT ["/usr/sbin/containai-init", "-c", "/etc/containai/init.ini", "--"]
CMD ["/bin/bash"]
