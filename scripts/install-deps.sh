#!/usr/bin/env bash
# Installs what Wharf's build, tests and benchmarks need on a fresh Debian machine (run as root).
# Idempotent: packages already present are left alone.
set -euo pipefail

packages=(
  maven            # the build
  iproute2         # ip netns / veth for end-to-end tests
  iputils-ping     # ping
  procps           # sysctl, ps
  socat            # TCP transfers with a content check
  iperf3           # throughput
  tshark           # dissects what Wharf sends
  wireshark-common # dumpcap: the overlay tests capture the underlay with it (a stopped capture is complete)
  python3          # netpeer.py: servers and clients of the NAT end-to-end tests
  python3-scapy    # builds test frames (malformed ones too)
  netsniff-ng      # trafgen: small-packet rate
  ethtool          # offload inspection; the overlay interop test turns a kernel VTEP's veth checksum offload off
  jq               # JSON in scripts
  openssl          # certificates for the TLS listener tests
  bridge-utils     # the Linux bridge anchor in benchmarks
  nftables         # nft: the kernel masquerade anchor in benchmarks (wharf bench e2e --nat)
  openvswitch-switch # the OVS userspace-datapath anchor in benchmarks (the harness runs its own private instance)
  prometheus       # a real scraper of the metrics endpoint in end-to-end tests (the test runs its own instance)
  nginx            # the load-balancer benchmark's backends (wharf bench e2e --only lb-kernel,lb-wharf runs private instances, never the service)
  wrk              # HTTP requests and new connections per second through the load balancer's VIP
  bind9-dnsutils   # dig: the DNS tests' client
  dnsmasq-base     # dnsmasq: the DNS tests' upstream resolver, run privately in a namespace (the binary only: no system service)
  dnsperf          # queries per second answered by the gateways' DNS server (benchmarks)
  etcd-server      # the cluster store: tests run private etcd instances on loopback (the binary only; the service is never used)
  curl             # the cluster tests revoke a host's lease through etcd's JSON gateway, as an operator without etcdctl would
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -q
  # tshark asks whether non-root users may capture: answer no, non-interactively
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# A JDK >= 21 must exist somewhere the build (maven-toolchains-plugin) and the launcher look.
have_jdk=""
for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -n "$home" ] && [ -x "$home/bin/javac" ] || continue
  major=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  if [ "${major:-0}" -ge 21 ] 2>/dev/null; then have_jdk="$home"; break; fi
done
if [ -z "$have_jdk" ]; then
  echo "no JDK >= 21 found; installing one from Debian" >&2
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-21-jdk-headless || {
    echo "error: Wharf needs a JDK >= 21 (none under /usr/lib/jvm and none installable)" >&2; exit 1; }
fi
echo "JDK for the build: ${have_jdk:-openjdk-21 from Debian}"
