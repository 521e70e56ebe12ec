#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 before the test suite runs.
# Starts them when installed but stopped; installs them from Debian's packages
# when missing and running as root; otherwise says exactly what is missing.
set -u

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
is_root() { [ "$(id -u)" = "0" ]; }
apt_install() {
  if ! is_root; then return 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq "$@" >/dev/null 2>&1
}

wait_for() {  # wait_for CHECK SECONDS
  local i
  for i in $(seq 1 "$2"); do "$1" && return 0; sleep 1; done
  return 1
}

missing=()

if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not installed; installing it from Debian's packages..."
    apt_install postgresql postgresql-client || missing+=("PostgreSQL server (apt-get install postgresql) on 127.0.0.1:5432")
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    if [ -n "$version" ]; then
      conf="/etc/postgresql/$version/main/pg_hba.conf"
      # Tests connect over TCP as user postgres without a password.
      if is_root && [ -f "$conf" ] && ! grep -q "second-look trust" "$conf"; then
        sed -i '1i host all all 127.0.0.1/32 trust # second-look trust' "$conf"
        sed -i '1i host all all ::1/128 trust # second-look trust' "$conf"
      fi
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    fi
    wait_for pg_up 30 || missing+=("a running PostgreSQL on 127.0.0.1:5432 (it is installed but did not start)")
  fi
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not installed; installing it from Debian's packages..."
    apt_install redis-server redis-tools || missing+=("Redis server (apt-get install redis-server) on 127.0.0.1:6379")
  fi
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 \
      || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1 || true
    wait_for redis_up 15 || missing+=("a running Redis on 127.0.0.1:6379 (it is installed but did not start)")
  fi
fi

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work here).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "Chromium is not installed; installing it from Debian's packages..."
  apt_install chromium || missing+=("Chromium for the browser tests (apt-get install chromium) at /usr/bin/chromium")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Cannot run the test suite; missing:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  is_root || echo "Run as root to let this script install them, or install them yourself." >&2
  exit 1
fi
echo "PostgreSQL and Redis are reachable; Chromium is installed."
