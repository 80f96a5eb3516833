#!/usr/bin/env bash
# Makes sure the programs the tests read our output back with are installed: xmllint (Debian
# libxml2-utils), the Universal Feed Parser for Debian's /usr/bin/python3 (python3-feedparser), nginx
# (nginx-light, for the static-export test), Chromium (chromium, to check the pages in a browser) and
# newsboat (newsboat, a reader the RSS titles are checked with), and Varnish with its xkey vmod (varnish,
# varnish-modules: the cache deploy/varnish/default.vcl is tested in). Installs the missing ones with apt-get when it can
# (as root on Debian), else says what to install. Runs before `npm test`.
set -euo pipefail

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
/usr/bin/python3 -c 'import feedparser' >/dev/null 2>&1 || need+=(python3-feedparser)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v newsboat >/dev/null 2>&1 || need+=(newsboat)
command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ] || need+=(varnish)
compgen -G '/usr/lib/*/varnish/vmods/libvmod_xkey.so' >/dev/null || compgen -G '/usr/lib/varnish/vmods/libvmod_xkey.so' >/dev/null || need+=(varnish-modules)
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test tools: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "test tools missing: install the Debian packages ${need[*]} (e.g. sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
