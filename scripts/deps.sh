# Sourced by scripts/test, scripts/demo and bench: install what projsync
# needs on Debian 12 when run as root and something is missing.
projsync_deps() {
	local pkgs="cmake make gcc clang pkg-config git openssl curl python3 python3-jsonschema python3-yaml python3-h2 python3-botocore
		zsh fish pre-commit dpkg-dev file man-db
		libyaml-dev libcurl4-openssl-dev libcjson-dev libgit2-dev
		libmicrohttpd-dev libcmocka-dev libexpat1-dev $*"
	local missing=() p
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "projsync: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
		return 1
	fi
	echo "projsync: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
}
