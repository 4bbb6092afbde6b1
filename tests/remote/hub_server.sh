# shellcheck shell=bash
# The loopback Hub of tests/remote/nginx.conf.in, started and stopped for the scripts that need
# it: tests/remote/remote_test.sh and scripts/bench_remote.sh (sourced; bash).
#
#   hub_find_nginx     sets $nginx, installing nginx-light from Debian when it is missing and we
#                      are root; returns 1 when there is none
#   hub_start ROOT TOKEN
#                      fills in the configuration for the fixture tree under ROOT (ROOT/hub, the
#                      API answers; ROOT/cdn, the files) on free loopback ports, left in
#                      $hub_port, $cdn_port, $tls_port and $proxy_port, and starts nginx; its
#                      access logs are ROOT/logs/{hub,cdn,tls,proxy}.log
#   hub_stop ROOT      stops the nginx hub_start started
#   free_port          prints a free TCP port on 127.0.0.1
hub_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

hub_find_nginx() {
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -x "$nginx" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nginx-light from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light \
      >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends nginx-light >/dev/null; } || true
  fi
  [ -x "$nginx" ]
}

hub_start() {
  local root=$1 token=$2 user_line=""
  hub_port=$(free_port)
  cdn_port=$(free_port)
  tls_port=$(free_port)
  proxy_port=$(free_port)
  mkdir -p "$root/nginx" "$root/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$root/nginx/self-signed.key" -out "$root/nginx/self-signed.crt" >/dev/null 2>&1 ||
    { echo "openssl could not make a certificate" >&2; return 1; }
  [ "$(id -u)" -eq 0 ] && user_line="user root root;"
  sed -e "s|@ROOT@|$root|g" -e "s|@HUB_PORT@|$hub_port|g" -e "s|@CDN_PORT@|$cdn_port|g" \
    -e "s|@TLS_PORT@|$tls_port|g" -e "s|@PROXY_PORT@|$proxy_port|g" -e "s|@TOKEN@|$token|g" \
    -e "s|@USER_LINE@|$user_line|" "$hub_here/nginx.conf.in" >"$root/nginx/nginx.conf"
  "$nginx" -p "$root/nginx" -c "$root/nginx/nginx.conf" -e "$root/nginx/error.log" ||
    { echo "nginx did not start: $(cat "$root/nginx/error.log" 2>/dev/null)" >&2; return 1; }
  for _ in $(seq 50); do [ -f "$root/nginx/nginx.pid" ] && break; sleep 0.1; done
}

hub_stop() {
  if [ -f "$1/nginx/nginx.pid" ]; then kill "$(cat "$1/nginx/nginx.pid")" 2>/dev/null || true; fi
}
