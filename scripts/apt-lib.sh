# shellcheck shell=sh
# Sourced by scripts/deps*.sh: which Debian packages are missing, and
# installing them (as root; otherwise what to run is said and the caller
# exits 1).

# Prints the packages of "$@" that are not installed, space-separated.
apt_missing() {
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			printf ' %s' "$p"
		fi
	done
}

# apt_install WHAT PACKAGES: installs PACKAGES (from apt_missing) for WHAT
# ("circd", "circd's packages", ...); returns 1 when not root.
apt_install() {
	what=$1
	shift
	if [ "$(id -u)" -ne 0 ]; then
		echo "$what needs these Debian packages: $*" >&2
		echo "run as root: apt-get install $*" >&2
		return 1
	fi
	echo "installing: $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# A concurrent apt (unattended upgrades at boot) is waited for, not fatal.
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}
