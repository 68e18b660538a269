#!/usr/bin/env bash
# Builds the installers into dist/ (`make package` runs it):
#   dist/qrpos_VERSION+BUILD_amd64.deb                 Debian/Ubuntu
#   dist/qrpos-VERSION+BUILD-windows-amd64-setup.exe   Windows (NSIS)
#   dist/SHA256SUMS
# Intermediate files go to build/package/ (not committed).
#
# Usage: package.sh [all|deb|windows]
# Environment:
#   VERSION, BUILD        default: Version and Build in FyneApp.toml
#   SIGN_CERT, SIGN_KEY   Authenticode-sign pos.exe, pos-cli.exe, the
#                         uninstaller and setup.exe (PEM or DER files; see sign.sh)
#   GO                    the go command (default go)
#   DIST                  where the installers go (default dist/)
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
pkg=assets/packaging
GO=${GO:-go}
OUT=$root/build/package
DIST=$(realpath -m "${DIST:-$root/dist}")

# meta KEY: a value from FyneApp.toml (quoted string or number).
meta() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" FyneApp.toml | head -n 1
}

VERSION=${VERSION:-$(meta Version)}
BUILD=${BUILD:-$(meta Build)}
APP_NAME=$(meta Name)
APP_ID=$(meta ID)
ICON=$(meta Icon)
[[ $VERSION =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || {
	echo "package: Version '$VERSION' in FyneApp.toml must be MAJOR.MINOR.PATCH" >&2
	exit 1
}
V1=${BASH_REMATCH[1]} V2=${BASH_REMATCH[2]} V3=${BASH_REMATCH[3]}
if ! [[ $BUILD =~ ^[0-9]+$ ]] || ((BUILD > 65535)); then
	echo "package: Build '$BUILD' in FyneApp.toml must be a number from 0 to 65535" >&2
	exit 1
fi
[[ -n $APP_NAME && -n $APP_ID && -f $ICON ]] || {
	echo "package: FyneApp.toml needs Name, ID and an Icon file (got '$APP_NAME', '$APP_ID', '$ICON')" >&2
	exit 1
}
FULL_VERSION=$VERSION+$BUILD # what `pos --version` and `pos-cli --version` print; also the .deb version
DEB=$DIST/qrpos_${FULL_VERSION}_amd64.deb
SETUP=$DIST/qrpos-$FULL_VERSION-windows-amd64-setup.exe

signing=
if [[ -n ${SIGN_CERT:-} || -n ${SIGN_KEY:-} ]]; then
	[[ -f ${SIGN_CERT:-} && -f ${SIGN_KEY:-} ]] || {
		echo "package: SIGN_CERT and SIGN_KEY must both name files (got '${SIGN_CERT:-}', '${SIGN_KEY:-}')" >&2
		exit 1
	}
	SIGN_CERT=$(realpath "$SIGN_CERT") SIGN_KEY=$(realpath "$SIGN_KEY")
	export SIGN_CERT SIGN_KEY
	signing=1
fi

# fill FILE: replaces @NAME@ placeholders with the build's values.
fill() {
	sed -e "s|@VERSION@|$VERSION|g" -e "s|@FULL_VERSION@|$FULL_VERSION|g" -e "s|@BUILD@|$BUILD|g" \
		-e "s|@V1@|$V1|g" -e "s|@V2@|$V2|g" -e "s|@V3@|$V3|g" \
		-e "s|@APP_NAME@|$APP_NAME|g" -e "s|@APP_ID@|$APP_ID|g" "$1"
}

step() { printf '== %s\n' "$*"; }

icons() {
	step "icons from $ICON"
	rm -rf "$OUT/hicolor"
	mkdir -p "$OUT"
	"$GO" run ./$pkg/mkicons -in "$ICON" -ico "$OUT/icon.ico" -hicolor "$OUT/hicolor" -name "$APP_ID"
}

# The default terminal.toml for one platform.
terminal_toml() { # installer journal protection scanner-hint printer-hint
	sed -e "s|@INSTALLER@|$1|" -e "s|@JOURNAL@|$2|" -e "s|@PROTECTION@|$3|" \
		-e "s|@SCANNER_HINT@|$4|" -e "s|@PRINTER_HINT@|$5|" $pkg/terminal.toml.in
}

build_deb() {
	local arch bin cli tree doc depends size
	arch=$(dpkg --print-architecture)
	[[ $arch == amd64 ]] || { echo "package: the .deb is built on amd64, not $arch" >&2; exit 1; }
	step "linux binary (pos $FULL_VERSION)"
	bin=$OUT/linux/pos
	mkdir -p "$OUT/linux"
	"$GO" build -ldflags "-s -w -X main.version=$FULL_VERSION" -o "$bin" ./cmd/pos
	[[ $("$bin" --version) == "pos $FULL_VERSION" ]] || {
		echo "package: $bin --version says '$("$bin" --version)', want 'pos $FULL_VERSION'" >&2
		exit 1
	}
	step "linux command line (pos-cli $FULL_VERSION)"
	cli=$OUT/linux/pos-cli
	"$GO" build -ldflags "-s -w -X main.version=$FULL_VERSION" -o "$cli" ./cmd/pos-cli
	[[ $("$cli" --version) == "pos-cli $FULL_VERSION" ]] || {
		echo "package: $cli --version says '$("$cli" --version)', want 'pos-cli $FULL_VERSION'" >&2
		exit 1
	}

	step "deb tree"
	tree=$OUT/deb/root
	rm -rf "$OUT/deb"
	doc=$tree/usr/share/doc/qrpos
	install -D -m 0755 "$bin" "$tree/usr/bin/pos"
	install -D -m 0755 "$cli" "$tree/usr/bin/pos-cli"
	# The whole Chinese screen font, read when a store's name needs a rare
	# character (assets.FullFontFiles): the binary carries only a subset.
	# Not under /usr/share/fonts, where Fyne's font scan would parse it as
	# the system font of a Chinese locale (13 MiB per text style).
	mkdir -p "$tree/usr/share/qrpos/fonts"
	gunzip -c assets/fonts/DroidSansFallbackFull.ttf.gz >"$tree/usr/share/qrpos/fonts/DroidSansFallbackFull.ttf"
	chmod 0644 "$tree/usr/share/qrpos/fonts/DroidSansFallbackFull.ttf"
	install -D -m 0755 $pkg/linux/qrpos-kiosk "$tree/usr/sbin/qrpos-kiosk"
	install -D -m 0755 $pkg/linux/kiosk-session "$tree/usr/libexec/qrpos/kiosk-session"
	install -D -m 0644 $pkg/linux/qrpos-kiosk-autostart.desktop "$tree/usr/share/qrpos/qrpos-kiosk-autostart.desktop"
	install -D -m 0644 $pkg/linux/qrpos-kiosk.service "$tree/usr/lib/systemd/user/qrpos-kiosk.service"
	install -D -m 0644 $pkg/linux/hk.qrpos.terminal.desktop "$tree/usr/share/applications/$APP_ID.desktop"
	install -D -m 0644 $pkg/linux/70-qrpos-serial.rules "$tree/etc/udev/rules.d/70-qrpos-serial.rules"
	mkdir -p "$tree/etc/qrpos"
	chmod 0755 "$tree/etc/qrpos"
	terminal_toml "qrpos Debian package" '"/var/lib/qrpos/pos.db"' \
		"owner: the kiosk account, mode 0600; the package sets both" \
		'Linux: "/dev/pos-scanner" (see /etc/udev/rules.d/70-qrpos-serial.rules), "/dev/ttyACM0", or "usb:VID:PID" (run: pos-cli ports)' \
		'Linux: "/dev/pos-printer" (see /etc/udev/rules.d/70-qrpos-serial.rules), "/dev/ttyUSB0", or "usb:VID:PID" (run: pos-cli ports)' \
		>"$tree/etc/qrpos/terminal.toml"
	chmod 0600 "$tree/etc/qrpos/terminal.toml"
	mkdir -p "$tree/usr/share/icons"
	cp -r "$OUT/hicolor" "$tree/usr/share/icons/hicolor"
	find "$tree/usr/share/icons" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
	install -D -m 0644 $pkg/README.md "$doc/README.md"
	install -D -m 0644 $pkg/deb/copyright "$doc/copyright"
	printf 'qrpos (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- QR POS <it@example.invalid>  %s\n' \
		"$FULL_VERSION" "$FULL_VERSION" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")" | gzip -9n >"$doc/changelog.gz"
	chmod 0644 "$doc/changelog.gz"

	step "checks: desktop entries, systemd unit, shell scripts"
	desktop-file-validate "$tree/usr/share/applications/$APP_ID.desktop" "$tree/usr/share/qrpos/qrpos-kiosk-autostart.desktop"
	if command -v systemd-analyze >/dev/null; then
		# ExecStart must name an existing file: check against the tree.
		sed "s|/usr/bin/pos|$tree/usr/bin/pos|" "$tree/usr/lib/systemd/user/qrpos-kiosk.service" >"$OUT/deb/qrpos-kiosk.service"
		SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$OUT/deb/qrpos-kiosk.service"
	fi
	for s in $pkg/deb/postinst $pkg/deb/postrm $pkg/linux/qrpos-kiosk $pkg/linux/kiosk-session; do
		sh -n "$s"
	done

	step "control"
	mkdir -p "$tree/DEBIAN" "$OUT/deb/shlibs/debian"
	printf 'Source: qrpos\n\nPackage: qrpos\nArchitecture: any\n' >"$OUT/deb/shlibs/debian/control"
	depends=$(cd "$OUT/deb/shlibs" && dpkg-shlibdeps -O -e"$tree/usr/bin/pos" -e"$tree/usr/bin/pos-cli" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
	[[ -n $depends ]] || { echo "package: dpkg-shlibdeps found no dependencies for pos" >&2; exit 1; }
	# GLFW loads these X11 libraries with dlopen, so the linker cannot see them.
	depends="$depends, libx11-xcb1, libxcursor1, libxi6, libxinerama1, libxrandr2, libxrender1, libxxf86vm1, passwd"
	size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
	sed -e "s|@VERSION@|$FULL_VERSION|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" \
		$pkg/deb/control.in >"$tree/DEBIAN/control"
	install -m 0755 $pkg/deb/postinst $pkg/deb/postrm "$tree/DEBIAN/"
	(cd "$tree" && find etc -type f | sed 's|^|/|' | sort) >"$tree/DEBIAN/conffiles"
	(cd "$tree" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
	chmod 0644 "$tree/DEBIAN/control" "$tree/DEBIAN/conffiles" "$tree/DEBIAN/md5sums"

	step "dpkg-deb → ${DEB#"$root"/}"
	mkdir -p "$DIST"
	dpkg-deb --root-owner-group -Zxz --build "$tree" "$DEB" >/dev/null
	dpkg-deb --info "$DEB" | sed -n '/Package:/,$p'
}

build_windows() {
	local w stage ldflags
	w=$OUT/windows
	stage=$w/stage
	rm -rf "$w"
	mkdir -p "$stage"
	step "windows resources (icon, version $V1.$V2.$V3.$BUILD, manifest)"
	cp "$OUT/icon.ico" "$w/icon.ico"
	fill $pkg/windows/pos.rc.in >"$w/pos.rc"
	fill $pkg/windows/pos.exe.manifest.in >"$w/pos.exe.manifest"
	(cd "$w" && x86_64-w64-mingw32-windres -O coff -i pos.rc -o rsrc.o)
	# pos-cli.exe: the same icon, version and manifest under its own name.
	sed -e 's/"OriginalFilename", "pos.exe"/"OriginalFilename", "pos-cli.exe"/' -e 's/"InternalName", "pos"/"InternalName", "pos-cli"/' \
		-e 's/payment terminal"/payment terminal command line"/' "$w/pos.rc" >"$w/pos-cli.rc"
	(cd "$w" && x86_64-w64-mingw32-windres -O coff -i pos-cli.rc -o rsrc-cli.o)

	step "windows/amd64 binary (cgo, mingw-w64)"
	# The resource object is handed to the external (mingw) linker, so
	# nothing is written into cmd/pos. -H windowsgui: no console window.
	ldflags="-H windowsgui -s -w -X main.version=$FULL_VERSION -linkmode=external -extldflags=$w/rsrc.o"
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
		"$GO" build -ldflags "$ldflags" -o "$stage/pos.exe" ./cmd/pos
	[[ $(x86_64-w64-mingw32-objdump -h "$stage/pos.exe") == *" .rsrc "* ]] || {
		echo "package: pos.exe has no resource section" >&2
		exit 1
	}

	step "windows/amd64 command line (pos-cli.exe: console subsystem)"
	# No -H windowsgui: Go's default, a console program, so that cmd and
	# PowerShell show its output, wait for its exit code and pass Ctrl-C.
	ldflags="-s -w -X main.version=$FULL_VERSION -linkmode=external -extldflags=$w/rsrc-cli.o"
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
		"$GO" build -ldflags "$ldflags" -o "$stage/pos-cli.exe" ./cmd/pos-cli
	if [[ -n $signing ]]; then
		step "sign pos.exe and pos-cli.exe"
		$pkg/scripts/sign.sh "$stage/pos.exe"
		$pkg/scripts/sign.sh "$stage/pos-cli.exe"
	fi

	step "installer"
	cp "$OUT/icon.ico" "$stage/icon.ico"
	# The whole Chinese screen font beside pos.exe (assets.FullFontFiles).
	mkdir -p "$stage/fonts"
	gunzip -c assets/fonts/DroidSansFallbackFull.ttf.gz >"$stage/fonts/DroidSansFallbackFull.ttf"
	sed 's/$/\r/' assets/fonts/DROID-LICENSE.txt >"$stage/fonts/DROID-LICENSE.txt"
	terminal_toml "QR POS Windows installer" '"pos.db"   # next to this file: %ProgramData%\\QR POS\\pos.db' \
		"the installer limits %ProgramData%\\\\QR POS to SYSTEM, Administrators and the terminal's account" \
		'Windows: "COM3" (Device Manager, Ports), or "usb:VID:PID" (run: pos-cli.exe ports)' \
		'Windows: "COM4", or "usb:VID:PID" (run: pos-cli.exe ports)' | sed 's/$/\r/' >"$stage/terminal.toml"
	sed 's/$/\r/' $pkg/README.md >"$stage/README.txt"
	mkdir -p "$DIST"
	local defs=(-DVERSION="$FULL_VERSION" -DVERSION4="$V1.$V2.$V3.$BUILD" -DAPP_NAME="$APP_NAME" -DAPP_ID="$APP_ID"
		-DSRC="$stage" -DOUTFILE="$SETUP")
	[[ -n $signing ]] && defs+=(-DSIGN_SCRIPT="$root/$pkg/scripts/sign.sh")
	makensis -V2 -WX -INPUTCHARSET UTF8 "${defs[@]}" $pkg/nsis/setup.nsi
	if [[ -n $signing ]]; then
		step "sign setup.exe"
		$pkg/scripts/sign.sh "$SETUP"
	fi
}

sums() {
	step "SHA256SUMS"
	(cd "$DIST" && sha256sum -- "$(basename "$DEB")" "$(basename "$SETUP")" >SHA256SUMS && cat SHA256SUMS)
	ls -l "$DEB" "$SETUP"
}

what=${1:-all}
case $what in
all | deb | windows) ;;
*) echo "usage: $0 [all|deb|windows]" >&2; exit 2 ;;
esac
mkdir -p "$DIST"
# Only this build's installers stay in dist/.
find "$DIST" -maxdepth 1 \( -name 'qrpos_*.deb' -o -name 'qrpos-*-setup.exe' -o -name SHA256SUMS \) -delete
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
icons
case $what in
all) build_deb; build_windows; sums ;;
deb) build_deb ;;
windows) build_windows ;;
esac
